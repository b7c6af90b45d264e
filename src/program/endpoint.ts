// Inspector endpoints: what `anode attach` was given (a pid, HOST:PORT or a ws:// URL), and the one HTTP
// request anode makes to an inspector, `GET /json/list`, to learn its WebSocket URL.
import http from 'node:http';
import { ConnectError, HiddenInspectorError, UsageError } from '../errors.js';
import { socketErrorText } from '../net/socket-error.js';

/** What to attach to. */
export type AttachTarget =
  | { kind: 'pid'; pid: number }
  | { kind: 'address'; host: string; port: number }
  | { kind: 'ws'; url: string };

const LIST_TIMEOUT_MS = 5000;

/** Parses `PID`, `HOST:PORT`, `[IPv6]:PORT`, `http://HOST:PORT` or `ws://…`. */
export function parseAttachTarget(text: string): AttachTarget {
  const t = text.trim();
  if (/^\d+$/.test(t)) {
    const pid = Number(t);
    if (pid > 0 && Number.isSafeInteger(pid)) return { kind: 'pid', pid };
  }
  if (/^wss?:\/\//i.test(t)) {
    try {
      return { kind: 'ws', url: new URL(t).href };
    } catch {
      // fall through to the usage error
    }
  }
  const m = /^(?:https?:\/\/)?(\[[^\]]+\]|[^\s:/[\]]+):(\d{1,5})\/?$/i.exec(t);
  if (m && Number(m[2]) > 0 && Number(m[2]) < 65536) {
    return { kind: 'address', host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
  }
  throw new UsageError(`cannot attach to '${text}': give a pid, HOST:PORT of an inspector, or its ws:// URL`);
}

/** `host:port` for messages and URLs (IPv6 in brackets). */
export function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The address to connect to for a socket listening on `host` (a wildcard means loopback). */
export function connectHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

/** One entry of /json/list. */
interface ListEntry {
  type?: string;
  webSocketDebuggerUrl?: string;
}

/**
 * Asks the inspector at host:port for its targets and returns the WebSocket URL of the first, rebuilt on
 * the address the user gave (the inspector derives its answer from the Host header, which must be an IP
 * literal; through `ssh -L` or `kubectl port-forward` only the given address reaches it).
 */
export async function inspectorUrl(host: string, port: number): Promise<string> {
  const where = hostPort(host, port);
  const { status, body } = await getJsonList(host, port).catch((err: NodeJS.ErrnoException) => {
    throw new ConnectError(
      where,
      socketErrorText(err, host, 'nothing listens there: is the program started with --inspect? (`anode attach PID` opens the inspector for you)'),
      err,
    );
  });
  if (status === 404) throw new HiddenInspectorError(where);
  let entries: unknown;
  try {
    entries = JSON.parse(body);
  } catch (err) {
    throw new ConnectError(where, `it answered HTTP ${status} but not with an inspector's target list; is it an inspector port?`, err);
  }
  const entry = Array.isArray(entries)
    ? (entries as ListEntry[]).find((e) => typeof e?.webSocketDebuggerUrl === 'string')
    : undefined;
  if (!entry?.webSocketDebuggerUrl) {
    throw new ConnectError(where, 'its /json/list names no target to attach to');
  }
  const url = new URL(entry.webSocketDebuggerUrl);
  return `ws://${where}${url.pathname}`;
}

function getJsonList(host: string, port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host, port, path: '/json/list', headers: { Host: '127.0.0.1' }, timeout: LIST_TIMEOUT_MS, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
          if (body.length > 1_000_000) req.destroy(new Error('answer too long for an inspector target list'));
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${LIST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
  });
}
