// Faults (`npm run test:faults`): the program stopped by SIGSTOP mid-evaluation, killed under 20 served
// clients, flooding its stdout. Each asserts what anode does; the figures go to the test's stdout.
import { createHash } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAnode } from '../helpers/anode.js';
import { echoLine } from '../helpers/attach.js';
import { connectClient, type LineClient } from '../helpers/client.js';
import { accepts, askDuringFlood, fdCount, floodDigest, pidsWith, relay, stateOf } from '../helpers/faults.js';
import { TEST_FIXTURES } from '../helpers/paths.js';
import { isAlive } from '../helpers/processes.js';
import { waitUntil } from '../helpers/wait.js';

const echo = 'fixtures/echo.js';

describe('faults', () => {
  it('the program SIGSTOPped during evaluations: results arrive after SIGCONT; Ctrl-C meanwhile gives the prompt back', async () => {
    const a = startAnode(['run', echo, '0']);
    await a.waitForPrompt();
    const pid = await a.programPid();
    const port = Number((await a.waitFor(/served on 127\.0\.0\.1:(\d+)/, { stream: 'stdout' }))[1]);

    // Stopped while an entry waits: nothing is lost, the result comes when it continues.
    let from = a.stderr.length;
    a.send("await new Promise((r) => setTimeout(r, 50, 'after the stop'))");
    process.kill(pid, 'SIGSTOP');
    await waitUntil(() => stateOf(pid) === 'T', () => `pid ${pid} not stopped`);
    await new Promise((r) => setTimeout(r, 300)); // the fault itself: stay stopped a while
    expect(a.stderr.slice(from)).not.toContain('after the stop');
    process.kill(pid, 'SIGCONT');
    await a.waitFor("'after the stop'", { from });
    await a.waitForPrompt();

    // Ctrl-C while it is stopped: anode stops waiting on its own, says why, and takes input again.
    from = a.stderr.length;
    a.send('await new Promise(() => {})');
    process.kill(pid, 'SIGSTOP');
    await waitUntil(() => stateOf(pid) === 'T', () => `pid ${pid} not stopped`);
    const t0 = Date.now();
    a.kill('SIGINT');
    await a.waitFor('Interrupted: stopped waiting; the program does not answer', { from });
    const giveBackMs = Date.now() - t0;
    await a.waitForPrompt();
    from = a.stderr.length;
    a.send('6 * 7'); // queued in the stopped program
    process.kill(pid, 'SIGCONT');
    await a.waitFor(/^42\n> $/, { from });
    // The interrupt's queued pause did not leave the program paused: it serves, and the console works.
    expect(await echoLine(port, 'alive')).toBe('alive\n');
    expect(await a.evaluate('process.pid')).toBe(String(pid));
    console.info(`[faults] Ctrl-C on a SIGSTOPped program: prompt back after ${giveBackMs} ms`);
    a.end();
    expect((await a.exited).code).toBe(0);
  });

  it('the program SIGKILLed while 20 served clients evaluate: each is told, anode exits 137, nothing left behind', async () => {
    const a = startAnode(['run', '--serve', '0', echo, '0']);
    const address = (await a.waitFor(/The console is being served on (\S+)\n/))[1]!;
    const servedPort = Number(address.split(':').pop());
    const programPort = Number((await a.waitFor(/served on 127\.0\.0\.1:(\d+)/, { stream: 'stdout' }))[1]);
    const clients: LineClient[] = await Promise.all(Array.from({ length: 20 }, () => connectClient(address)));
    await Promise.all(clients.map((c) => c.waitFor(/\n> $/)));
    const pid = Number(await clients[0]!.evaluate('process.pid'));
    expect(pidsWith('anode-watchdog', String(pid))).toHaveLength(1);
    // Half wait on a promise, half spin in a loop (the program is busy when it dies).
    clients.forEach((c, i) => c.send(i % 2 ? 'await new Promise(() => {})' : `globalThis.n${i} = 0; while (true) globalThis.n${i}++`));
    await waitUntil(() => stateOf(pid) === 'R', () => `program ${pid} is not running`);
    const t0 = Date.now();
    process.kill(pid, 'SIGKILL');
    await Promise.all(clients.map((c) => c.closed));
    const toldMs = Date.now() - t0;
    for (const c of clients) {
      expect(c.text).toMatch(/\nanode: the program exited \(killed by SIGKILL\); closing the console\n$/);
      // One notice, saying why; no socket error (`write ECONNRESET`) on the way.
      const notices = c.text.split('\n').filter((l) => l.startsWith('anode: ') && !l.startsWith('anode: console into'));
      expect(notices).toHaveLength(1);
    }
    const { code } = await a.exited;
    expect(code).toBe(137);
    expect(a.stderr).toMatch(/the program exited \(killed by SIGKILL\)/);
    expect(isAlive(pid)).toBe(false);
    await waitUntil(() => pidsWith('anode-watchdog', String(pid)).length === 0, () => 'the watchdog outlived the program');
    expect(await accepts(servedPort)).toBe(false);
    expect(await accepts(programPort)).toBe(false);
    console.info(`[faults] program SIGKILLed under 20 clients: all told and closed after ${toldMs} ms`);
  });

  it('the program floods 100 MiB to stdout while the console is used: every byte arrives, in order, and the console answers', async () => {
    const total = 100 * 1024 * 1024;
    const a = startAnode(['run', path.join(TEST_FIXTURES, 'flood.mjs')], { env: { FLOOD_BYTES: String(total) } });
    // Count and hash stdout here instead of keeping 100 MiB in the helper (the pattern is ASCII).
    a.child.stdout.removeAllListeners('data');
    const received = createHash('sha256');
    let bytes = 0;
    a.child.stdout.on('data', (d: string) => {
      bytes += d.length;
      received.update(d, 'latin1');
    });
    await a.waitForPrompt();
    await a.evaluate('main.start()');
    const ms = await askDuringFlood(a, total);
    await waitUntil(() => bytes >= total, () => `${bytes} of ${total} bytes received`);
    expect(bytes).toBe(total);
    expect(received.digest('hex')).toBe(floodDigest(total));
    // The console answered during the flood, not only after it.
    expect(ms.length).toBeGreaterThan(0);
    expect(a.stderr).not.toMatch(/Uncaught|\nanode: /);
    console.info(
      `[faults] 100 MiB stdout flood: ${ms.length} console answers during it, median ${ms[ms.length >> 1]} ms, max ${ms.at(-1)} ms`,
    );
    a.end();
    expect((await a.exited).code).toBe(0);
  });
});

describe('faults: anode killed in attach', () => {
  it('anode SIGKILLed while its entry spins in the program: the watchdog stops that entry, then closes the inspector', async () => {
    const { startEcho } = await import('../helpers/attach.js');
    const { target, port } = await startEcho();
    const a = startAnode(['attach', '--no-console', String(target.pid)]);
    await a.waitForPrompt();
    a.send("process.stdout.write('spinning\\n'); while (true) {}");
    await target.waitFor('spinning');
    const t0 = Date.now();
    a.child.kill('SIGKILL');
    await a.exited;
    await target.waitForPorts([port]); // the inspector anode opened is closed again
    const ms = Date.now() - t0;
    expect(await echoLine(port, 'serving again')).toBe('serving again\n');
    expect(isAlive(target.pid)).toBe(true);
    await waitUntil(() => pidsWith('close-watchdog', String(target.pid)).length === 0, () => 'the watchdog stayed');
    console.info(`[faults] anode SIGKILLed in attach while its entry spun: entry stopped and inspector closed after ${ms} ms`);
  });
});

describe('faults: connections', () => {
  it('the inspector connection drops mid-evaluation: anode says so and exits non-zero; the program is untouched', async () => {
    const { startEcho } = await import('../helpers/attach.js');
    const { target, port } = await startEcho(['--inspect=127.0.0.1:0']);
    const inspectPort = Number((await target.waitFor(/ws:\/\/127\.0\.0\.1:(\d+)\//, 'stderr'))[1]);
    const r = await relay(inspectPort);
    try {
      const a = startAnode(['attach', `127.0.0.1:${r.port}`]);
      await a.waitForPrompt();
      expect(await a.evaluate('process.pid')).toBe(String(target.pid));
      a.send('await new Promise(() => {})');
      r.drop();
      const exit = await a.exited;
      expect(exit.code).not.toBe(0);
      expect(a.stderr).toMatch(/anode: .*(connection closed|program exited|gone)/);
      expect(a.stderr).not.toMatch(/\n\s+at /);
      expect(isAlive(target.pid)).toBe(true);
      expect((await echoLine(port, 'still')).trim()).toBe('still');
    } finally {
      r.close();
    }
  });

  it('200 clients connecting and leaving (some mid-token, some half-open): the others unaffected, descriptors returned', async () => {
    const a = startAnode(['run', '--serve', '0', echo, '0'], { env: { ANODE_TOKEN: 'sesame' } });
    const address = (await a.waitFor(/The console is being served on (\S+)\n/))[1]!;
    const [host, portText] = address.split(':');
    const port = Number(portText);
    const steady = await connectClient(address);
    await steady.waitFor('token: ');
    steady.send('sesame');
    await steady.waitFor(/\n> $/);
    expect(await steady.evaluate('40 + 2')).toBe('42');
    const before = fdCount(a.pid);

    // A client that sends only the first byte of the token and waits, for the whole run.
    const stuck = net.connect(port, host);
    stuck.on('error', () => undefined);
    await new Promise((r) => stuck.once('connect', r));
    stuck.write('s');

    for (let round = 0; round < 20; round++) {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          new Promise<void>((resolve) => {
            const s = net.connect(port, host);
            s.resume(); // read what the server says, so its end (and 'close') can come
            s.on('error', () => resolve());
            s.once('close', () => resolve());
            s.once('connect', () => {
              if (i % 3 === 0) s.destroy(); // gone at once
              else if (i % 3 === 1) s.end('sesa'); // half-open, mid-token
              else s.end('sesame\n1 + 1\n'); // a whole session in one breath
            });
          }),
        ),
      );
      expect(await steady.evaluate(`${round} * 2`)).toBe(String(round * 2));
    }
    stuck.destroy();
    await waitUntil(() => fdCount(a.pid) <= before, () => `anode holds ${fdCount(a.pid)} descriptors, had ${before}`, 15_000);
    expect(await steady.evaluate("'still served'")).toBe("'still served'");
    steady.destroy();
  });
});
