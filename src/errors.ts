// Every failure anode reports has its own class with a stable `code`; messages say what was wrong
// and what to do. The CLI prints `anode: <message>` for these and never a stack.

/** Base class: a failure anode understands and can explain in one line. */
export class AnodeError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** The program file given to `anode run` does not exist or is not readable. */
export class ProgramNotFoundError extends AnodeError {
  constructor(what: string, hint = 'check the path', cause?: unknown) {
    super('ANODE_PROGRAM_NOT_FOUND', `cannot find program '${what}': ${hint}`, { cause });
  }
}

/** The program (or node itself, e.g. on a bad flag) ended before its inspector could be reached. */
export class ProgramStartError extends AnodeError {
  constructor(detail: string, cause?: unknown) {
    super('ANODE_PROGRAM_START', detail, { cause });
  }
}

/** Connecting to an inspector endpoint failed or timed out. */
export class ConnectError extends AnodeError {
  constructor(target: string, detail: string, cause?: unknown) {
    super('ANODE_CONNECT', `cannot connect to the inspector at ${target}: ${detail}`, { cause });
  }
}

/** The target went away (exited, was killed, or the connection dropped). */
export class TargetClosedError extends AnodeError {
  constructor(detail = 'the program is gone', cause?: unknown) {
    super('ANODE_TARGET_CLOSED', detail, { cause });
  }
}

/** A command-line usage mistake (bad option value, missing argument). */
export class UsageError extends AnodeError {
  constructor(message: string) {
    super('ANODE_USAGE', message);
  }
}

/** A call to the inspector did not answer in time. */
export class TimeoutError extends AnodeError {
  constructor(what: string, ms: number) {
    super('ANODE_TIMEOUT', `${what} did not answer within ${ms} ms`);
  }
}

/** `ainput` reached the end of its input stream. */
export class EndOfInputError extends AnodeError {
  constructor() {
    super('ANODE_EOF', 'end of input');
  }
}

/** A pending `ainput` (or other cancellable call) was aborted through its AbortSignal. */
export class AbortedError extends AnodeError {
  constructor(cause?: unknown) {
    super('ANODE_ABORTED', 'the operation was aborted', { cause });
  }
}

/** `--serve` / `startInteractiveServer` was asked to listen beyond loopback without a token. */
export class TokenRequiredError extends AnodeError {
  constructor(address: string) {
    super(
      'ANODE_TOKEN_REQUIRED',
      `refusing to serve on ${address} without a token: anyone who reaches it could run code in the program; ` +
        'pass --token (or set ANODE_TOKEN), or serve on loopback (e.g. --serve 8889) or a unix socket',
    );
  }
}

/** The server could not listen (bad address, port in use, a non-socket file at the unix path, ...). */
export class ServeError extends AnodeError {
  constructor(detail: string, cause?: unknown) {
    super('ANODE_SERVE', detail, { cause });
  }
}
