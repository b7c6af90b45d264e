// The one in-process session the library's consoles, servers and aeval share.
import { openLocalSession } from '../session/local.js';
import type { EvalSession } from '../session/session.js';

let shared: Promise<EvalSession> | undefined;

/** This process's evaluation session, opened on first use. */
export function localSession(): Promise<EvalSession> {
  shared ??= openLocalSession().catch((err: unknown) => {
    shared = undefined;
    throw err;
  });
  return shared;
}
