// The anode console protocol: what `anode connect` and a served console say to each other once the client
// has identified itself. Newline-delimited JSON, one message per line, each with a `type`. Every message
// is described once, in the tables below (its fields and their types); one decoder reads any of them.
//
// The exchange (see README "anode connect"):
//   client connects; if the server asks `token: ` the client sends its token line first (as nc would);
//   client → `anode-protocol {"type":"hello","version":1,"minor":1,"capabilities":[...]}`
//   server → `anode-protocol {"type":"welcome",...,"capabilities":[...]}` or `anode-protocol {"type":"error","code":"version",...}`
//   then plain JSON lines both ways: eval/result, interrupt, complete/completions, preview/previewed,
//   scope/scoped, target/targeted (+ moved), watch/output, ask/answer, inspect/(inspecting, progress,
//   chunk)/inspected, bye; a request the server cannot serve gets an `error` with its id.
//
// Versions: `version` is the major version; only a different major is refused. Peers one minor apart
// interoperate: each side ignores fields and message types it does not know, and a feature that came in
// a minor version is used only when both sides list its capability (the welcome's list is what both have).
import { ProtocolError } from '../errors.js';

/** The major protocol version: a peer with another one is refused with a clear error. */
export const PROTOCOL_VERSION = 1;
/** The minor version: what this side adds to the major version, announced as capabilities. */
export const PROTOCOL_MINOR = 2;

/**
 * What opens the client's first line and the server's answer to it. `anode-protocol {` can never begin a
 * valid JavaScript entry (an expression followed by a block on the same line), so no typed line is taken
 * for a client's hello.
 */
export const PROTOCOL_MAGIC = 'anode-protocol ';

/** The features a peer may have; the welcome lists those both sides have (`inspect` came in minor 2). */
export const CAPABILITIES = ['preview', 'scope', 'watch', 'ask', 'colors', 'structured-errors', 'targets', 'inspect'] as const;
export type Capability = (typeof CAPABILITIES)[number];
/** What a minor-0 peer (that lists no capabilities) has. */
export const BASE_CAPABILITIES: readonly Capability[] = ['preview', 'scope', 'watch', 'ask', 'colors'];

// A field: its type, `?` when it may be left out; or one of a fixed set of strings.
type Scalar = 'int' | 'string' | 'boolean' | 'strings';
type FieldSpec = Scalar | `${Scalar}?` | { readonly oneOf: readonly string[]; readonly optional?: boolean };
type MessageSpec = Readonly<Record<string, FieldSpec>>;

const CLIENT = {
  /** The client's first message; `colors`: results coloured with ANSI escapes. */
  hello: { version: 'int', minor: 'int?', colors: 'boolean?', capabilities: 'strings?' },
  /** Evaluate one complete entry; answered by `result` with the same id. */
  eval: { id: 'int', code: 'string' },
  /** Interrupt the running entry `id` (Ctrl-C); its `result` then says it was interrupted. */
  interrupt: { id: 'int' },
  /** Tab completion of `line`; answered by `completions`. */
  complete: { id: 'int', line: 'string' },
  /** The eager preview of `code` (the line being typed), at most `width` columns; answered by `previewed`. */
  preview: { id: 'int', code: 'string', width: 'int' },
  /** `.scope [FILE]`: the top-level variables of the entry module (or FILE); answered by `scoped`. */
  scope: { id: 'int', file: 'string?' },
  /** A target command (`.workers`, `.worker ID|main`, `.children`, ...) for this client's console; answered by `targeted`. */
  target: { id: 'int', command: 'string', arg: 'string' },
  /**
   * A loop command (`.loop`, `.profile`, `.heap`, `.heapsnapshot`) run by the served console on its program;
   * `arg`: `.loop`'s words, or the seconds. Answered by `inspecting`, `progress`, `chunk`s, then `inspected`;
   * `interrupt` with its id ends a recording early (or, for a snapshot, stops its chunks).
   */
  inspect: { id: 'int', command: { oneOf: ['loop', 'profile', 'heap', 'heapsnapshot'] }, arg: 'string' },
  /** Start (on) or stop mirroring the program's console output as `output` messages (`.console on|off`). */
  watch: { on: 'boolean' },
  /** The answer to the server's `ask` (code in the program called ainput); no `text` means end of input. */
  answer: { id: 'int', text: 'string?' },
  /** Leaving. */
  bye: { reason: 'string?' },
} as const satisfies Record<string, MessageSpec>;

const SERVER = {
  /** The answer to the hello; `capabilities`: what both sides have (absent from a minor-0 server). */
  welcome: { version: 'int', minor: 'int?', banner: 'string', prompt: 'string', capabilities: 'strings?' },
  result: { id: 'int', kind: { oneOf: ['value', 'error', 'interrupted'] }, text: 'string' },
  completions: { id: 'int', candidates: 'strings', prefix: 'string' },
  /** The preview asked for by `preview` with the same id; no `text` means nothing to show. */
  previewed: { id: 'int', text: 'string?' },
  /** The module scope asked for by `scope` with the same id; no `text` means this console cannot read scopes. */
  scoped: { id: 'int', text: 'string?' },
  /** The answer to `target`: what to print, and where this client's console is now ('' = the main thread). */
  targeted: { id: 'int', text: 'string', where: 'string' },
  /** This client's console moved by itself (its worker exited): what to say, and where it is now. */
  moved: { text: 'string', where: 'string' },
  /** Text for the client's console: the program's mirrored console.* output, or what code wrote to this console (aprint). */
  output: { text: 'string', source: { oneOf: ['program', 'console'] } },
  /** The `inspect` with this id started recording in process `pid` (a default file name carries it). */
  inspecting: { id: 'int', pid: 'int' },
  /** How far the `inspect` with this id is, as one line to show (a terminal rewrites it in place). */
  progress: { id: 'int', text: 'string' },
  /** The next piece of the file the `inspect` with this id recorded: the client writes it, in order. */
  chunk: { id: 'int', chunk: 'string' },
  /** The end of the `inspect` with this id: what to print; `ms`: how long it recorded. */
  inspected: { id: 'int', text: 'string', ms: 'int?' },
  /** Code running for this client called ainput: read a line from the client's terminal (answered by `answer`). */
  ask: { id: 'int', prompt: 'string' },
  /**
   * A request the server could not serve (with its id when it has one), or a refused client (`code:
   * 'version'` carries the server's version). Codes: see ERROR_CODES.
   */
  error: { code: 'string', message: 'string', id: 'int?', version: 'int?', limit: 'int?' },
  /** The server closes the console, with why. */
  bye: { reason: 'string?' },
} as const satisfies Record<string, MessageSpec>;

/** The `code` of a server's `error`. */
export const ERROR_CODES = {
  version: 'version',
  badHello: 'bad-hello',
  badMessage: 'bad-message',
  busy: 'busy',
  lineTooLong: 'line-too-long',
  noOutput: 'no-output',
  failed: 'failed',
} as const;

// The message types, derived from the tables.
type ValueOf<F> = F extends 'int' | 'int?'
  ? number
  : F extends 'string' | 'string?'
    ? string
    : F extends 'boolean' | 'boolean?'
      ? boolean
      : F extends 'strings' | 'strings?'
        ? string[]
        : F extends { readonly oneOf: readonly (infer E)[] }
          ? E
          : never;
type IsOptional<F> = F extends `${string}?` ? true : F extends { readonly optional: true } ? true : false;
type Flatten<T> = { [K in keyof T]: T[K] };
type MessageOf<T extends string, S> = Flatten<
  { type: T } & { -readonly [K in keyof S as IsOptional<S[K]> extends true ? never : K]: ValueOf<S[K]> } & {
    -readonly [K in keyof S as IsOptional<S[K]> extends true ? K : never]?: ValueOf<S[K]>;
  }
>;
type MessagesOf<Table> = { [T in keyof Table & string]: MessageOf<T, Table[T]> }[keyof Table & string];

export type ClientMessage = MessagesOf<typeof CLIENT>;
export type ServerMessage = MessagesOf<typeof SERVER>;
export type ClientMessageOf<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;
export type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;
export type Hello = ClientMessageOf<'hello'>;
export type EvalRequest = ClientMessageOf<'eval'>;
export type Welcome = ServerMessageOf<'welcome'>;
export type InspectRequest = ClientMessageOf<'inspect'>;
export type Result = ServerMessageOf<'result'>;
export type ErrorMessage = ServerMessageOf<'error'>;

/** One message as a line (JSON + newline). */
export function encode(message: ClientMessage | ServerMessage): string {
  return `${JSON.stringify(message)}\n`;
}

/** The client's first line. */
export function helloLine(version = PROTOCOL_VERSION, colors = false, minor = PROTOCOL_MINOR, capabilities: readonly string[] = CAPABILITIES): string {
  const hello: Hello = { type: 'hello', version, minor, capabilities: [...capabilities] };
  if (colors) hello.colors = true;
  return `${PROTOCOL_MAGIC}${encode(hello)}`;
}

/** True when `line` (a whole line, newline or not) is a protocol client's opening line. */
export function isHelloLine(line: string): boolean {
  return line.startsWith(PROTOCOL_MAGIC);
}

/** The capabilities a peer announced: its list, or what a minor-0 peer has. */
export function announced(message: { capabilities?: string[] | undefined }): Set<string> {
  return new Set(message.capabilities ?? BASE_CAPABILITIES);
}

/** Decodes a message a client sent (the hello line with or without its magic); throws ProtocolError. */
export function decodeClientMessage(line: string): ClientMessage {
  return decode(CLIENT, line) as ClientMessage;
}

/** Decodes a message the server sent; a message type this side does not know (a newer minor's) is undefined. */
export function decodeServerMessage(line: string): ServerMessage | undefined {
  return decode(SERVER, line, true) as ServerMessage | undefined;
}

/** The id a (possibly cut) client line carries, if its head shows one: for errors about a line never decoded. */
export function requestIdOf(head: string): number | undefined {
  const m = /^\s*\{\s*"type"\s*:\s*"[a-z]+"\s*,\s*"id"\s*:\s*(\d{1,15})\s*[,}]/.exec(head);
  return m ? Number(m[1]) : undefined;
}

function decode(table: Record<string, MessageSpec>, line: string, skipUnknown = false): { type: string } | undefined {
  const m = parse(line.startsWith(PROTOCOL_MAGIC) ? line.slice(PROTOCOL_MAGIC.length) : line);
  const spec = Object.hasOwn(table, m.type) ? table[m.type] : undefined;
  if (!spec) {
    if (skipUnknown) return undefined;
    throw new ProtocolError(`unknown message type ${JSON.stringify(m.type)}`);
  }
  const message: Record<string, unknown> = { type: m.type };
  for (const [name, field] of Object.entries(spec)) {
    const value = m[name];
    const optional = typeof field === 'string' ? field.endsWith('?') : field.optional === true;
    if (value === undefined) {
      if (!optional) throw new ProtocolError(`'${m.type}' needs ${describe(field)} '${name}'`);
      continue;
    }
    if (!fits(field, value)) {
      if (typeof field === 'object' && typeof value === 'string') throw new ProtocolError(`unknown ${m.type} ${name} ${JSON.stringify(value)}`);
      throw new ProtocolError(`'${m.type}' needs ${describe(field)} '${name}'`);
    }
    message[name] = value;
  }
  return message as { type: string };
}

function fits(field: FieldSpec, value: unknown): boolean {
  if (typeof field === 'object') return typeof value === 'string' && field.oneOf.includes(value);
  switch (field.replace('?', '') as Scalar) {
    case 'int':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'strings':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
  }
}

function describe(field: FieldSpec): string {
  if (typeof field === 'object') return `one of ${field.oneOf.join('/')} as`;
  return { int: 'an integer', string: 'a string', boolean: 'a boolean', strings: 'an array of strings' }[field.replace('?', '') as Scalar];
}

type Fields = Record<string, unknown> & { type: string };

function parse(text: string): Fields {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProtocolError(`not a JSON message: ${JSON.stringify(text.slice(0, 60))}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ProtocolError('a message must be a JSON object');
  if (typeof (value as Fields).type !== 'string') throw new ProtocolError("a message needs a string 'type'");
  return value as Fields;
}
