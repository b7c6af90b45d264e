// `GET /json/list` against real local HTTP servers that answer like an inspector, or do not.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { inspectorUrl } from '../../src/program/endpoint.js';

const servers: http.Server[] = [];

async function serve(handler: http.RequestListener): Promise<number> {
  const server = http.createServer(handler).listen(0, '127.0.0.1');
  servers.push(server);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('inspectorUrl', () => {
  it('asks /json/list with an IP Host header and rebuilds the URL on the address given', async () => {
    let seen: { url?: string; host?: string } = {};
    const port = await serve((req, res) => {
      seen = { url: req.url, host: req.headers.host };
      res.end(JSON.stringify([{ type: 'node', webSocketDebuggerUrl: 'ws://127.0.0.1:1/4b1c-uuid' }]));
    });
    expect(await inspectorUrl('127.0.0.1', port)).toBe(`ws://127.0.0.1:${port}/4b1c-uuid`);
    expect(seen).toEqual({ url: '/json/list', host: '127.0.0.1' });
    expect(await inspectorUrl('localhost', port)).toBe(`ws://localhost:${port}/4b1c-uuid`);
  });

  it('404 (--inspect-publish-uid=stderr) says to use the ws:// URL', async () => {
    const port = await serve((_req, res) => {
      res.statusCode = 404;
      res.end('not found');
    });
    await expect(inspectorUrl('127.0.0.1', port)).rejects.toMatchObject({
      code: 'ANODE_HIDDEN_INSPECTOR',
      message: expect.stringContaining(`the inspector at 127.0.0.1:${port} does not publish its URL over HTTP`),
    });
  });

  it('something that is not an inspector, or lists no target, is a connect error', async () => {
    const web = await serve((_req, res) => res.end('<html>hello</html>'));
    await expect(inspectorUrl('127.0.0.1', web)).rejects.toThrow(/is it an inspector port\?/);
    const empty = await serve((_req, res) => res.end('[]'));
    await expect(inspectorUrl('127.0.0.1', empty)).rejects.toThrow(/names no target to attach to/);
  });
});
