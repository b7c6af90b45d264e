// Every failure anode reports has its own class with a stable `code`; messages say what was wrong
// and what to do. The CLI prints `anode: <message>` for these and never a stack.

/** The brand every anode error carries: it survives two copies of anode loaded in one process. */
const BRAND = Symbol.for('anode.error');

/** Base class: a failure anode understands and can explain in one line. */
export class AnodeError extends Error {
  readonly code: string;
  readonly [BRAND] = true;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** True for an anode error (from any loaded copy of anode), and with `code`, for that failure only. */
export function isAnodeError(err: unknown, code?: string): err is AnodeError {
  if (typeof err !== 'object' || err === null || (err as { [BRAND]?: unknown })[BRAND] !== true) return false;
  return code === undefined || (err as { code?: unknown }).code === code;
}

/** True when `err` says the target (program, worker, connection) went away. */
export function isTargetClosed(err: unknown): boolean {
  return isAnodeError(err, 'ANODE_TARGET_CLOSED');
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

/**
 * The program `anode run` started ended before the console opened (a CLI that prints and exits, a throw at
 * start-up, a bad node flag): anode passes its exit on (`code`, or `signal`) as its own.
 */
export class ProgramExitedError extends AnodeError {
  readonly exit: { code: number | null; signal: NodeJS.Signals | null };
  constructor(exit: { code: number | null; signal: NodeJS.Signals | null }, cause?: unknown) {
    super('ANODE_PROGRAM_EXITED', `the program exited (${exit.signal ? `killed by ${exit.signal}` : `code ${exit.code}`}) before the console opened`, { cause });
    this.exit = exit;
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

/** `anode attach PID`: no such process (or it has exited). */
export class NoSuchProcessError extends AnodeError {
  constructor(pid: number, detail = 'there is no such process') {
    super('ANODE_NO_SUCH_PROCESS', `cannot attach to pid ${pid}: ${detail}; \`anode ps\` lists your Node.js processes`);
  }
}

/** `anode attach PID`: the process belongs to another user, who alone may signal it. */
export class ProcessPermissionError extends AnodeError {
  constructor(pid: number, owner: string, cause?: unknown) {
    super(
      'ANODE_PROCESS_PERMISSION',
      `cannot attach to pid ${pid}: it belongs to ${owner} and this user may not signal it; run anode as that user (e.g. sudo -u ${owner} anode attach ${pid})`,
      { cause },
    );
  }
}

/** `anode attach PID`: the process is not Node.js (SIGUSR1 would kill it, so it was left alone). */
export class NotNodeProcessError extends AnodeError {
  constructor(pid: number, what: string) {
    super(
      'ANODE_NOT_NODE',
      `cannot attach to pid ${pid}: it is not a Node.js process (${what}); it was left untouched. \`anode ps\` lists your Node.js processes`,
    );
  }
}

/** `anode attach PID`: the pid no longer names the process anode checked (it exited and the pid was reused, or it exec'd). */
export class ProcessChangedError extends AnodeError {
  constructor(pid: number, what: string) {
    super(
      'ANODE_PROCESS_CHANGED',
      `cannot attach to pid ${pid}: it is no longer the process anode checked (${what}); it was not signalled. \`anode ps\` lists your Node.js processes`,
    );
  }
}

/** The target's inspector cannot be turned on from outside (--disable-sigusr1, permission model, ...). */
export class ActivationDisabledError extends AnodeError {
  constructor(pid: number, reason: string) {
    super(
      'ANODE_ACTIVATION_DISABLED',
      `cannot open the inspector of pid ${pid}: ${reason}; it was left untouched and keeps running. To attach later, start it without that, or with --inspect and use \`anode attach HOST:PORT\``,
    );
  }
}

/** SIGUSR1 would open the target's inspector beyond loopback, where anyone who reaches it runs code. */
export class ExposedInspectorError extends AnodeError {
  constructor(pid: number, where: string) {
    super(
      'ANODE_INSPECTOR_NOT_LOOPBACK',
      `will not open the inspector of pid ${pid}: it would listen on ${where}, beyond loopback, where anyone who reaches it can run code in the program without any password; it was left untouched and keeps running. ` +
        'Start it with --inspect-port=127.0.0.1:PORT (or 0), or open its inspector yourself and use `anode attach HOST:PORT`',
    );
  }
}

/** The port the target would open its inspector on is taken by another process. */
export class InspectorPortBusyError extends AnodeError {
  constructor(pid: number, where: string, signalled: boolean) {
    super(
      'ANODE_INSPECTOR_PORT_BUSY',
      `cannot open the inspector of pid ${pid}: its inspector port ${where} is taken by another process (address already in use); ` +
        `the program ${signalled ? 'is still running, without an inspector' : 'was left untouched and keeps running'}. ` +
        'Start it with --inspect-port=0 so that attaching picks a free port',
    );
  }
}

/** After SIGUSR1 no new inspector port appeared in time. */
export class ActivationTimeoutError extends AnodeError {
  constructor(pid: number, ms: number, ownPorts: string[]) {
    const ports = ownPorts.length ? `it listens on ${ownPorts.join(', ')}` : 'it listens on no TCP port';
    super(
      'ANODE_ACTIVATION_TIMEOUT',
      `pid ${pid} opened no inspector port within ${ms} ms of SIGUSR1 (${ports}); the program keeps running. ` +
        'It may handle SIGUSR1 itself, or have an inspector open already on a port anode cannot tell apart: ' +
        'if you know its inspector port, run `anode attach 127.0.0.1:PORT`',
    );
  }
}

/** The target's inspector is open on a port chosen at start (`--inspect=0`), which anode cannot tell apart. */
export class InspectorPortUnknownError extends AnodeError {
  constructor(pid: number, ownPorts: string[]) {
    super(
      'ANODE_INSPECTOR_PORT_UNKNOWN',
      `pid ${pid} opened its inspector on a port chosen at start (port 0), and anode does not probe the program's own ports ` +
        `(${ownPorts.join(', ') || 'none'}): attach with the URL it printed (\`anode attach ws://…\`) or \`anode attach 127.0.0.1:PORT\``,
    );
  }
}

/** The inspector does not list its targets (--inspect-publish-uid=stderr): only its ws:// URL reaches it. */
export class HiddenInspectorError extends AnodeError {
  constructor(where: string, pid?: number) {
    super(
      'ANODE_HIDDEN_INSPECTOR',
      `${pid === undefined ? `the inspector at ${where}` : `pid ${pid}`} does not publish its URL over HTTP ` +
        '(started with --inspect-publish-uid=stderr, no /json/list): attach with the ws:// URL printed on its stderr (`anode attach ws://…`)' +
        (pid === undefined ? '' : '; it was left untouched'),
    );
  }
}

/** The inspector reached belongs to a different process than the pid asked for. */
export class WrongProcessError extends AnodeError {
  constructor(pid: number, actual: number, where: string) {
    super(
      'ANODE_WRONG_PROCESS',
      `the inspector at ${where} belongs to pid ${actual}, not pid ${pid}; anode left it without evaluating anything`,
    );
  }
}

/** The pid is a program started by `anode run`, whose inspector is private to that anode. */
export class AnodeRunTargetError extends AnodeError {
  constructor(pid: number) {
    super(
      'ANODE_RUN_TARGET',
      `pid ${pid} runs under \`anode run\`, whose inspector is private to that console: use that console; it was left untouched`,
    );
  }
}

/** aprint was given an output stream that is closed (ended, destroyed, or failing to write). */
export class OutputClosedError extends AnodeError {
  constructor(cause?: unknown) {
    super('ANODE_OUTPUT_CLOSED', 'cannot print: the output stream is closed', { cause });
  }
}

/** This platform offers no way to make the checks a feature needs (no /proc, no ps and lsof). */
export class UnsupportedPlatformError extends AnodeError {
  constructor(platform: string, feature: string, instead: string) {
    super('ANODE_UNSUPPORTED_PLATFORM', `${feature} is not supported on ${platform}: ${instead}`);
  }
}

/** A system tool anode needs to look at other processes (ps, lsof) is missing or failed. */
export class ProcessToolError extends AnodeError {
  constructor(tool: string, detail: string, cause?: unknown) {
    super('ANODE_PROCESS_TOOL', `cannot read other processes: \`${tool}\` ${detail}`, { cause });
  }
}

/** The pid lives in another network namespace (a container): its loopback is not anode's. */
export class OtherNetworkError extends AnodeError {
  constructor(pid: number) {
    super(
      'ANODE_OTHER_NETWORK',
      `pid ${pid} runs in another network namespace (a container?), whose 127.0.0.1 anode cannot reach; it was left untouched. ` +
        'Run anode inside it, or forward its inspector port and use `anode attach HOST:PORT`',
    );
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

/** A console-protocol message that is not what the anode protocol allows (bad JSON, unknown type, missing field). */
export class ProtocolError extends AnodeError {
  constructor(detail: string) {
    super('ANODE_PROTOCOL', `bad anode protocol message: ${detail}`);
  }
}

/** `anode connect`: the served console cannot be reached, or does not answer as an anode console. */
export class ConsoleConnectError extends AnodeError {
  constructor(address: string, detail: string, cause?: unknown) {
    super('ANODE_CONSOLE_CONNECT', `cannot connect to the console at ${address}: ${detail}`, { cause });
  }
}

/** `anode connect`: the served console wants a token and none was given, or refused the one given. */
export class TokenRefusedError extends AnodeError {
  constructor(address: string, given: boolean) {
    super(
      'ANODE_TOKEN_REFUSED',
      given
        ? `the console at ${address} refused the token: check --token (or ANODE_TOKEN)`
        : `the console at ${address} asks for a token: pass --token (or set ANODE_TOKEN)`,
    );
  }
}

/** The two ends of a console connection speak different versions of the anode protocol. */
export class ProtocolVersionError extends AnodeError {
  constructor(detail: string) {
    super('ANODE_PROTOCOL_VERSION', detail);
  }
}

/** `anode connect`: the served console went away (the program ended, the server closed, the link dropped). */
export class ConsoleGoneError extends AnodeError {
  constructor(address: string, reason: string) {
    super('ANODE_CONSOLE_GONE', `the console at ${address} closed the connection: ${reason}`);
  }
}

/** `.worker ID` / `--worker ID`: the program has no worker thread with that id (now). */
export class NoSuchWorkerError extends AnodeError {
  constructor(threadId: number, known: number[]) {
    super(
      'ANODE_NO_SUCH_WORKER',
      `the program has no worker thread ${threadId}${known.length > 0 ? ` (its workers: ${known.join(', ')})` : ' (it runs no worker threads now)'}; .workers lists them`,
    );
  }
}

/** The inspector connection offers no way into worker threads (no NodeWorker domain, e.g. in-process). */
export class WorkersUnavailableError extends AnodeError {
  constructor(cause: unknown) {
    super('ANODE_WORKERS_UNAVAILABLE', `this console cannot reach the program's worker threads: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/** A recording (profile, heap sampling, snapshot) is already running in this session. */
export class RecordingBusyError extends AnodeError {
  constructor(what: string) {
    super('ANODE_RECORDING_BUSY', `another console of this session is recording (${what}); wait for it to finish`);
  }
}

/** The served console could not run a loop command (`.loop`, `.profile`, ...) for an `anode connect` client: what it said. */
export class RemoteInspectError extends AnodeError {
  constructor(message: string) {
    super('ANODE_REMOTE_INSPECT', message);
  }
}

/** The file for a profile exists already, or cannot be created. */
export class ProfileFileError extends AnodeError {
  constructor(file: string, detail: string, cause?: unknown) {
    super('ANODE_PROFILE_FILE', `cannot write ${file}: ${detail}`, { cause });
  }
}

/**
 * The inspector answered "Promise was collected": the promise a call waited on was garbage-collected in
 * the target before it settled (nothing could settle it any more, or, in Node 22 and 24 before 24.20,
 * an inspector bug lost it in the moment between its settling and the reply). The reply is lost; the
 * target and the connection are fine.
 */
export class PromiseCollectedError extends AnodeError {
  constructor(cause?: unknown) {
    super('ANODE_PROMISE_COLLECTED', 'the promise this waited on was garbage-collected in the program before the reply was sent', { cause });
  }
}

/** True when `err` is the inspector's "Promise was collected" (see PromiseCollectedError). */
export function isPromiseCollected(err: unknown): boolean {
  return isAnodeError(err, 'ANODE_PROMISE_COLLECTED');
}

/** The inspector's own error for a collected promise, told apart once, where replies arrive. */
export function asPromiseCollected(err: unknown): unknown {
  return err instanceof Error && /\bPromise was collected\b/.test(err.message) ? new PromiseCollectedError(err) : err;
}
