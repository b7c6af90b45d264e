// The watchdog process of close-watchdog.ts: `node close-watchdog-main.js PID WS_URL CLOSE RELEASE`. When its
// stdin ends without `disarm`, anode is gone: unless another debugger (another anode) is still connected to
// that inspector, it evaluates CLOSE in the target (which closes the inspector a moment later), else RELEASE
// (the dead anode no longer holds it), and exits. Before closing, it stops an entry the dead anode left
// spinning.
import { connectChannel } from '../session/cdp-client.js';
import { processTable } from './process-table.js';
import { ignored } from '../log/debug.js';

const [pid, url, expression, release] = process.argv.slice(2);
let received = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => (received += chunk));
process.stdin.on('error', () => undefined);
process.stdin.on('end', () => {
  if (received.includes('disarm') || !pid || !url || !expression) process.exit(0);
  void (async () => {
    try {
      const channel = await connectChannel(url);
      // Its own connection is one; more means someone else still uses the inspector: they close it.
      const clients = await processTable().acceptedConnections(Number(pid), Number(new URL(url).port)).catch(() => 1);
      if (clients <= 1) {
        // An entry of the dead anode may still spin (`while (true) {}`): stop it, or the program never
        // runs again (nor the close below). Only console entries are stopped, never the program's code.
        // Loaded only now: the watchdog waits for most of its life, and should weigh little meanwhile.
        const [{ CONSOLE_ENTRIES }, { stopEntries }] = await Promise.all([import('../session/source.js'), import('../session/stop-entries.js')]);
        await stopEntries(channel, CONSOLE_ENTRIES).catch((err: unknown) => ignored('watchdog: stopping the dead anode\'s entries', err));
        await channel.send('Runtime.evaluate', { expression });
      }
      else if (release) await channel.send('Runtime.evaluate', { expression: release });
      await channel.close();
    } finally {
      process.exit(0);
    }
  })();
});
