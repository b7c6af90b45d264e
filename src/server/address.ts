// Where a console is served: `PORT`, `:PORT`, `HOST:PORT`, `[V6]:PORT` or `unix:PATH`. Loopback unless a
// host is named; naming a non-loopback host is what requires a token (see listener.ts).
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';

export { isLoopback } from '../net/loopback.js';

/** A parsed serve address. */
export type ServeAddress = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

/** The default host: loopback, never all interfaces. */
export const DEFAULT_HOST = '127.0.0.1';

/** Parses `--serve` text; throws UsageError naming the bad value. */
export function parseServeAddress(text: string): ServeAddress {
  if (text.startsWith('unix:')) {
    const path = text.slice('unix:'.length);
    if (path === '') throw new UsageError(`--serve unix:PATH needs a path (got '${text}')`);
    return { kind: 'unix', path };
  }
  const match = /^(?:(\[[^\]]+\]|[^:]*):)?(\d+)$/.exec(text);
  const port = match ? Number(match[2]) : NaN;
  if (!match || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--serve expects [HOST:]PORT or unix:PATH, with PORT 0-65535 (got '${text}')`);
  }
  let host = match[1] ?? '';
  if (host.startsWith('[')) host = host.slice(1, -1);
  return { kind: 'tcp', host: host === '' ? DEFAULT_HOST : host, port };
}

/** `HOST:PORT` (brackets around IPv6) or `unix:PATH`, as printed in the "being served on" line. */
export function formatAddress(address: ServeAddress): string {
  if (address.kind === 'unix') return `unix:${address.path}`;
  return isIP(address.host) === 6 ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
