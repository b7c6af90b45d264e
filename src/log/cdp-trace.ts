// The CDP part of the debug log (`NODE_DEBUG=anode`): every command a connection sends, its reply or
// failure, and every event it receives, each line naming the connection (`cdp#2`) so the evaluation and
// event connections of one session can be told apart. Long payloads are cut; nothing is built when the
// log is off.
import { debug } from './debug.js';

const MAX_PAYLOAD = 400;
let connections = 0;

/** What a traced connection reports. */
export interface CdpTrace {
  sent(id: number, method: string, params: unknown): void;
  replied(id: number, method: string, result: unknown): void;
  failed(id: number, method: string, err: unknown): void;
  event(method: string, params: unknown): void;
}

/** A trace for a new connection to `where`, or undefined when the debug log is off. */
export function traceCdp(where: string): CdpTrace | undefined {
  if (!debug.enabled) return undefined;
  const name = `cdp#${++connections}`;
  debug('%s opened to %s', name, where);
  return {
    sent: (id, method, params) => debug('%s → %d %s %s', name, id, method, payload(params)),
    replied: (id, method, result) => debug('%s ← %d %s %s', name, id, method, payload(result)),
    failed: (id, method, err) => debug('%s ← %d %s failed: %s', name, id, method, err instanceof Error ? err.message : String(err)),
    event: (method, params) => debug('%s ← event %s %s', name, method, payload(params)),
  };
}

function payload(value: unknown): string {
  if (value === undefined) return '';
  let text: string;
  try {
    text = JSON.stringify(value) ?? '';
  } catch {
    text = '[unserializable]';
  }
  return text.length > MAX_PAYLOAD ? `${text.slice(0, MAX_PAYLOAD)}… (${text.length} chars)` : text;
}
