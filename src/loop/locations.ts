// Where functions of the target were defined (file:line), read through the inspector and never by calling
// them: `[[FunctionLocation]]` of Runtime.getProperties gives the script id and position; the script's URL
// comes from the Debugger's list of scripts (enabled for a moment, only when an id is not known yet).
import type { Channel } from '../session/channel.js';
import type { EvalSession } from '../session/session.js';
import { ignored } from '../log/debug.js';
import { evalValue } from '../session/remote-object.js';

/** A function's place in the program's sources (0-based line and column as CDP reports them). */
export interface FunctionLocation {
  url: string;
  line: number;
  column: number;
}

const BATCH = 32;
const urlsByChannel = new WeakMap<Channel, Map<string, string>>();

/** The locations of the functions in array `listId` (undefined where there is none: a native function). */
export async function functionLocations(session: EvalSession, listId: string): Promise<(FunctionLocation | undefined)[]> {
  const ch = session.eventChannel;
  const items = await ch.send('Runtime.getProperties', { objectId: listId, ownProperties: true });
  const ids: (string | undefined)[] = [];
  for (const p of items.result) if (/^\d+$/.test(p.name)) ids[Number(p.name)] = p.value?.objectId;
  const raw: ({ scriptId: string; lineNumber: number; columnNumber: number } | undefined)[] = [];
  for (let i = 0; i < ids.length; i += BATCH) {
    const batch = await Promise.all(
      ids.slice(i, i + BATCH).map(async (objectId) => {
        if (!objectId) return undefined;
        const r = await ch.send('Runtime.getProperties', { objectId, ownProperties: true });
        return r.internalProperties?.find((p) => p.name === '[[FunctionLocation]]')?.value?.value as
          | { scriptId: string; lineNumber: number; columnNumber: number }
          | undefined;
      }),
    );
    raw.push(...batch);
  }
  const urls = await scriptUrls(session, raw.flatMap((r) => (r ? [r.scriptId] : [])));
  return raw.map((r) => (r && urls.has(r.scriptId) ? { url: urls.get(r.scriptId)!, line: r.lineNumber, column: r.columnNumber } : undefined));
}

/** The URLs of `scriptIds`, from a per-connection cache refreshed when an id is new. */
async function scriptUrls(session: EvalSession, scriptIds: string[]): Promise<Map<string, string>> {
  const ch = session.eventChannel;
  let known = urlsByChannel.get(ch);
  if (!known) urlsByChannel.set(ch, (known = new Map()));
  const cache = known;
  if (scriptIds.every((id) => cache.has(id))) return cache;
  await session.exclusive(async () => {
    const off = ch.on('Debugger.scriptParsed', (p) => void cache.set(p.scriptId, p.url));
    try {
      await ch.send('Debugger.enable');
    } finally {
      off();
      await ch.send('Debugger.disable').catch((err: unknown) => ignored('Debugger.disable after listing scripts', err));
    }
  });
  return cache;
}

/** The program's working directory (file:line is shown relative to it); '' when it cannot be read. */
export async function targetCwd(session: EvalSession): Promise<string> {
  return evalValue<string>(session.eventChannel, 'process.cwd()', 1000).catch((err: unknown) => {
    ignored('read the program working directory', err);
    return '';
  });
}

/** `file:line` for people: a path under `cwd` is shown relative to it. */
export function whereText(location: FunctionLocation | undefined, cwd: string): string {
  if (!location) return '';
  let file = location.url;
  if (file.startsWith('file://')) {
    try {
      file = decodeURIComponent(new URL(file).pathname);
    } catch {
      // keep the URL as it is
    }
  }
  if (file === '') file = '(anonymous script)';
  else if (cwd && file.startsWith(`${cwd}/`)) file = file.slice(cwd.length + 1);
  return `${file}:${location.line + 1}`;
}
