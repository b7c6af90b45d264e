// The promises SECURITY.md makes, each checked against the real thing. Others live beside the feature
// they guard (see SECURITY.md, "What is tested"): serve.test.ts (token, loopback default, unix socket
// 0600 in 0700) and attach.test.ts (the inspector anode opened is closed when it leaves).
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, type LineServer } from '../../dist/server/listener.js';
import { TokenRequiredError } from '../../dist/errors.js';
import { startAnode } from '../helpers/anode.js';
import { anode, echo, startEcho } from '../helpers/attach.js';
import { isAlive } from '../helpers/processes.js';
import { startTarget } from '../helpers/target.js';
import { connectClient } from '../helpers/client.js';

const servers: LineServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** GET `path` on host:port; the status code, or 'no answer'. */
async function httpStatus(host: string, port: number, path: string): Promise<number | string> {
  try {
    const r = await fetch(`http://${host}:${port}${path}`, { signal: AbortSignal.timeout(3000) });
    const body = await r.text();
    return r.status === 200 && body.length > 0 ? `200 ${body.slice(0, 200)}` : r.status;
  } catch (err) {
    return `no answer (${(err as Error).message})`;
  }
}

describe("anode run: the program's inspector", () => {
  it('listens on loopback only, lists nothing over HTTP, and its URL is never printed nor left in the program', async () => {
    const a = startAnode(['run', 'fixtures/echo.js', '0'], {
      env: { ANODE_INSPECT_HOST: '0.0.0.0', ANODE_TOKEN: 'not-for-the-program', ANODE_WAIT: '' },
    });
    await a.waitForPrompt();
    const shown = a.stdout + a.stderr;
    const url = (await a.evaluate("require('node:inspector').url()")).replace(/^'|'$/g, '');
    const { hostname, port, pathname } = new URL(url);
    expect(hostname).toBe('127.0.0.1');
    // Without /json/list the random id in the path is a secret: every discovery endpoint answers 404.
    for (const path of ['/json/list', '/json', '/json/version']) {
      expect(await httpStatus(hostname, Number(port), path), path).toBe(404);
    }
    const id = pathname.slice(1);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    // Not on anode's output (before we asked for it), not in the program's command line or environment.
    const pid = await a.programPid();
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8');
    for (const text of [shown, cmdline, environ]) expect(text).not.toContain(id);
    // Nothing of anode's is left in the program's environment, the served console's token included.
    expect(await a.evaluate("Object.keys(process.env).filter((k) => k.startsWith('ANODE_')).sort()")).toBe(
      "[ 'ANODE_INSPECT_HOST' ]", // the user's own variable, passed on untouched (and ignored: see above)
    );
    expect(environ).not.toContain('not-for-the-program');
    a.end();
    expect((await a.exited).code).toBe(0);
  });
});

describe('served consoles: binds and tokens', () => {
  it('binds loopback unless a host is named, and refuses a wider bind without a token', async () => {
    const handler = async (): Promise<void> => undefined;
    const s = await listen({ address: '0', log: () => undefined }, handler);
    servers.push(s);
    expect(s.address).toMatch(/^127\.0\.0\.1:\d+$/);
    for (const wide of ['0.0.0.0:0', '[::]:0', '192.0.2.1:0']) {
      await expect(listen({ address: wide, log: () => undefined }, handler), wide).rejects.toBeInstanceOf(TokenRequiredError);
    }
    await expect(listen({ address: '0', token: '', log: () => undefined }, handler)).rejects.toThrow(/token is empty/);
  });

  it('a wrong token never reaches the handler: a near miss, another length, an empty line, code sent with it', async () => {
    let served = 0;
    const refused: string[] = [];
    const s = await listen({ address: '0', token: 'correct horse', log: (m) => refused.push(m) }, async (client) => {
      served++;
      client.output.end('served\n');
    });
    servers.push(s);
    for (const attempt of ['correct hors', 'correct horse!', 'x', '', 'Correct horse\n1 + 1\n.exit']) {
      const c = await connectClient(s.address);
      await c.waitFor('token: ');
      c.send(attempt);
      await c.closed;
      expect(c.text, JSON.stringify(attempt)).toBe('token: anode: wrong token; closing the connection\n');
    }
    expect(served).toBe(0);
    // Logged once for the burst (wrong tokens from one address), not once per try.
    expect(refused.filter((m) => m.includes('wrong token'))).toHaveLength(1);
    // A client that leaves before sending one is never served either.
    const [host, port] = s.address.split(':');
    const quiet = net.connect({ host: host!, port: Number(port) });
    await once(quiet, 'connect');
    quiet.resume();
    quiet.end();
    await once(quiet, 'close');
    expect(served).toBe(0);
    const good = await connectClient(s.address);
    await good.waitFor('token: ');
    good.send('correct horse');
    await good.closed;
    expect(good.text).toBe('token: served\n');
    expect(served).toBe(1);
  });
});

describe('anode attach: what it opens, it opens on loopback and closes again', () => {
  it('will not open an inspector configured beyond loopback (it would be open to the network, unauthenticated)', async () => {
    const target = startTarget(['--inspect-port=0.0.0.0:0', echo, '0']);
    const port = Number((await target.waitFor(/served on 127\.0\.0\.1:(\d+)/))[1]);
    const r = await anode(['attach', String(target.pid), '-e', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^anode: will not open the inspector of pid \d+: it would listen on 0\.0\.0\.0:0, beyond loopback/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(await target.ports()).toEqual([port]);
    expect(isAlive(target.pid)).toBe(true);
  });

  it('SIGTERM and SIGHUP to an attached console detach and close the inspector anode opened', async () => {
    for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
      const { target, port } = await startEcho();
      const a = startAnode(['attach', String(target.pid)]);
      await a.waitForPrompt();
      expect((await target.ports()).length).toBe(2);
      a.kill(signal);
      await a.exited;
      await target.waitForPorts([port]);
      expect(isAlive(target.pid), signal).toBe(true);
    }
  });
});

describe('anode run --serve: the token on the command line', () => {
  it('warns that --token shows in ps (and ANODE_TOKEN does not), and ANODE_TOKEN stays out of the program', async () => {
    const a = startAnode(['run', '--serve', '0', '--token', 'visible', 'fixtures/echo.js', '0']);
    await a.waitFor(/The console is being served on \S+\n/);
    await a.waitFor("anode: note: --token is visible to this machine's other users (ps); prefer the ANODE_TOKEN environment variable");
    const b = startAnode(['run', '--serve', '0', 'fixtures/echo.js', '0'], { env: { ANODE_TOKEN: 'hidden' } });
    const address = (await b.waitFor(/The console is being served on (\S+)\n/))[1]!;
    const c = await connectClient(address);
    await c.waitFor('token: ');
    c.send('hidden');
    await c.waitFor(/\n> $/);
    expect(await c.evaluate('process.env.ANODE_TOKEN')).toBe('undefined');
    expect(b.stderr).not.toContain('--token is visible');
    c.destroy();
  });
});
