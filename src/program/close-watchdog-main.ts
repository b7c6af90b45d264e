// The watchdog process of close-watchdog.ts: `node close-watchdog-main.js PID PORT`, its orders (the ws URL
// and the close expression, as one JSON line) on stdin, never in its world-readable command line. When its
// stdin ends without `disarm`, anode is gone: it evaluates the close expression in the target (which lets
// go of the inspector and closes it a moment later unless another anode still holds it), and exits. Before
// closing, it stops an entry the dead anode left spinning, unless another anode (another watchdog guarding
// the same port) still uses that inspector.
import { connectChannel } from '../session/cdp-client.js';
import { ignored } from '../log/debug.js';
import { watchedInspectorPorts, type WatchdogOrders } from './close-watchdog.js';

const [pid, port] = process.argv.slice(2);
/** How long the target may take to answer the close before the watchdog gives up (it is frozen, or gone). */
const ANSWER_MS = 5000;
let received = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => (received += chunk));
process.stdin.on('error', (err) => ignored('watchdog stdin', err));
process.stdin.on('end', () => {
  const [first = '', ...rest] = received.split('\n');
  if (rest.some((line) => line === 'disarm') || !pid || !port) process.exit(0);
  let orders: WatchdogOrders;
  try {
    orders = JSON.parse(first) as WatchdogOrders;
  } catch (err) {
    ignored('watchdog orders', err);
    process.exit(0);
  }
  setTimeout(() => process.exit(0), ANSWER_MS * 2).unref();
  void (async () => {
    try {
      const channel = await connectChannel(orders.url);
      // Other anodes attached through this inspector have their own watchdogs (this one is not counted:
      // its process is this one, but it is the same user's; one of them is this one).
      const others = (await watchedInspectorPorts(Number(pid))).filter((p) => p === Number(port)).length - 1;
      if (others <= 0) {
        // An entry of the dead anode may still spin (`while (true) {}`): stop it, or the program never
        // runs again (nor the close below). Only console entries are stopped, never the program's code.
        // Loaded only now: the watchdog waits for most of its life, and should weigh little meanwhile.
        const [{ CONSOLE_ENTRIES }, { stopEntries }] = await Promise.all([import('../session/source.js'), import('../session/stop-entries.js')]);
        await stopEntries(channel, CONSOLE_ENTRIES).catch((err: unknown) => ignored('watchdog stopEntries', err));
      }
      await Promise.race([channel.send('Runtime.evaluate', { expression: orders.close }), new Promise((r) => setTimeout(r, ANSWER_MS).unref())]);
      await channel.close();
    } catch (err) {
      ignored('watchdog close', err);
    } finally {
      process.exit(0);
    }
  })();
});
