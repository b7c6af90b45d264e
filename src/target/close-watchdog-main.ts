// The watchdog process of close-watchdog.ts: `node close-watchdog-main.js PID WS_URL CLOSE RELEASE`. When its
// stdin ends without `disarm`, anode is gone: unless another debugger (another anode) is still connected to
// that inspector, it evaluates CLOSE in the target (which closes the inspector a moment later), else RELEASE
// (the dead anode no longer holds it), and exits.
import { connectChannel } from '../session/cdp-client.js';
import { acceptedConnections } from './proc.js';

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
      const clients = await acceptedConnections(Number(pid), Number(new URL(url).port)).catch(() => 1);
      if (clients <= 1) await channel.send('Runtime.evaluate', { expression });
      else if (release) await channel.send('Runtime.evaluate', { expression: release });
      await channel.close();
    } finally {
      process.exit(0);
    }
  })();
});
