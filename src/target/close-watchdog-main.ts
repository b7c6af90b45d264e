// The watchdog process of close-watchdog.ts: `node close-watchdog-main.js WS_URL EXPRESSION`. When its stdin
// ends without `disarm`, anode is gone: it evaluates EXPRESSION in the target (which closes the inspector a
// moment later) and exits.
import { connectChannel } from '../session/cdp-client.js';

const [url, expression] = process.argv.slice(2);
let received = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => (received += chunk));
process.stdin.on('error', () => undefined);
process.stdin.on('end', () => {
  if (received.includes('disarm') || !url || !expression) process.exit(0);
  void (async () => {
    try {
      const channel = await connectChannel(url);
      await channel.send('Runtime.evaluate', { expression });
      await channel.close();
    } finally {
      process.exit(0);
    }
  })();
});
