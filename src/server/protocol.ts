// The anode console protocol: what `anode connect` and a served console say to each other once the client
// has identified itself. Newline-delimited JSON, one message per line, each with a `type`; versioned so that
// two anodes that do not understand each other say so instead of misbehaving.
//
// The exchange (see docs in README "anode connect"):
//   client connects; if the server asks `token: ` the client sends its token line first (as nc would);
//   client → `anode-protocol {"type":"hello","version":1}`   (the magic prefix, then JSON: never valid JS)
//   server → `anode-protocol {"type":"welcome",...}` or `anode-protocol {"type":"error","code":"version",...}`
//   then plain JSON lines both ways: eval/result, interrupt, complete/completions, preview/previewed,
//   scope/scoped, target/targeted (+ moved), watch/output, ask/answer, bye.
import { ProtocolError } from '../errors.js';

/** The protocol version this anode speaks; a peer with another version is refused with a clear error. */
export const PROTOCOL_VERSION = 1;

/**
 * What opens the client's first line and the server's answer to it. `anode-protocol {` can never begin a
 * valid JavaScript entry (an expression followed by a block on the same line), so no typed line is taken
 * for a client's hello.
 */
export const PROTOCOL_MAGIC = 'anode-protocol ';

/** The client's first message. */
export interface Hello {
  type: 'hello';
  version: number;
  /** Results coloured with ANSI escapes (the client is a colour terminal). */
  colors?: boolean;
}
/** Evaluate one complete entry; answered by `result` with the same id. */
export interface EvalRequest {
  type: 'eval';
  id: number;
  code: string;
}
/** Interrupt the running entry `id` (Ctrl-C); its `result` then says it was interrupted. */
export interface InterruptRequest {
  type: 'interrupt';
  id: number;
}
/** Tab completion of `line`; answered by `completions`. */
export interface CompleteRequest {
  type: 'complete';
  id: number;
  line: string;
}
/** The eager preview of `code` (the line being typed), at most `width` columns; answered by `previewed`. */
export interface PreviewRequest {
  type: 'preview';
  id: number;
  code: string;
  width: number;
}
/** `.scope [FILE]`: the top-level variables of the entry module (or FILE); answered by `scoped`. */
export interface ScopeRequest {
  type: 'scope';
  id: number;
  file?: string;
}
/** A target command (`.workers`, `.worker ID|main`) for this client's console; answered by `targeted`. */
export interface TargetRequest {
  type: 'target';
  id: number;
  command: string;
  arg: string;
}
/** Start (on) or stop mirroring the program's console output as `output` messages (`.console on|off`). */
export interface WatchRequest {
  type: 'watch';
  on: boolean;
}
/** The answer to the server's `ask` (code in the program called ainput); no `text` means end of input. */
export interface Answer {
  type: 'answer';
  id: number;
  text?: string;
}
/** Leaving (client), or closing the console with a reason (server). */
export interface Bye {
  type: 'bye';
  reason?: string;
}

export interface Welcome {
  type: 'welcome';
  version: number;
  banner: string;
  prompt: string;
}
export interface Result {
  type: 'result';
  id: number;
  kind: 'value' | 'error' | 'interrupted';
  text: string;
}
export interface Completions {
  type: 'completions';
  id: number;
  candidates: string[];
  prefix: string;
}
/** The preview asked for by `preview` with the same id; no `text` means nothing to show. */
export interface Previewed {
  type: 'previewed';
  id: number;
  text?: string;
}
/** The module scope asked for by `scope` with the same id; no `text` means this console cannot read scopes. */
export interface Scoped {
  type: 'scoped';
  id: number;
  text?: string;
}
/** The answer to `target`: what to print, and where this client's console is now ('' = the main thread). */
export interface Targeted {
  type: 'targeted';
  id: number;
  text: string;
  where: string;
}
/** This client's console moved by itself (its worker exited): what to say, and where it is now. */
export interface Moved {
  type: 'moved';
  text: string;
  where: string;
}
/** Text for the client's console: the program's mirrored console.* output, or what code wrote to this console (aprint). */
export interface Output {
  type: 'output';
  text: string;
  source: 'program' | 'console';
}
/** Code running for this client called ainput: read a line from the client's terminal (answered by `answer`). */
export interface Ask {
  type: 'ask';
  id: number;
  prompt: string;
}
/** A refused request (with its id) or a refused client (`code: 'version'` carries the server's version). */
export interface ErrorMessage {
  type: 'error';
  code: string;
  message: string;
  id?: number;
  version?: number;
}

export type ClientMessage =
  | Hello
  | EvalRequest
  | InterruptRequest
  | CompleteRequest
  | PreviewRequest
  | ScopeRequest
  | TargetRequest
  | WatchRequest
  | Answer
  | Bye;
export type ServerMessage = Welcome | Result | Completions | Previewed | Scoped | Targeted | Moved | Output | Ask | ErrorMessage | Bye;

/** One message as a line (JSON + newline). */
export function encode(message: ClientMessage | ServerMessage): string {
  return `${JSON.stringify(message)}\n`;
}

/** The client's first line. */
export function helloLine(version = PROTOCOL_VERSION, colors = false): string {
  return `${PROTOCOL_MAGIC}${encode(colors ? { type: 'hello', version, colors } : { type: 'hello', version })}`;
}

/** True when `line` (a whole line, newline or not) is a protocol client's opening line. */
export function isHelloLine(line: string): boolean {
  return line.startsWith(PROTOCOL_MAGIC);
}

/** Decodes a message a client sent (the hello line with or without its magic); throws ProtocolError. */
export function decodeClientMessage(line: string): ClientMessage {
  const m = parse(line.startsWith(PROTOCOL_MAGIC) ? line.slice(PROTOCOL_MAGIC.length) : line);
  switch (m.type) {
    case 'hello': {
      const hello: Hello = { type: 'hello', version: int(m, 'version') };
      if (m.colors !== undefined) {
        if (typeof m.colors !== 'boolean') throw new ProtocolError("'hello' needs a boolean 'colors'");
        hello.colors = m.colors;
      }
      return hello;
    }
    case 'eval':
      return { type: 'eval', id: int(m, 'id'), code: str(m, 'code') };
    case 'interrupt':
      return { type: 'interrupt', id: int(m, 'id') };
    case 'complete':
      return { type: 'complete', id: int(m, 'id'), line: str(m, 'line') };
    case 'preview':
      return { type: 'preview', id: int(m, 'id'), code: str(m, 'code'), width: int(m, 'width') };
    case 'scope': {
      const scope: ScopeRequest = { type: 'scope', id: int(m, 'id') };
      if (m.file !== undefined) scope.file = str(m, 'file');
      return scope;
    }
    case 'target':
      return { type: 'target', id: int(m, 'id'), command: str(m, 'command'), arg: str(m, 'arg') };
    case 'watch':
      if (typeof m.on !== 'boolean') throw new ProtocolError("'watch' needs a boolean 'on'");
      return { type: 'watch', on: m.on };
    case 'answer': {
      const answer: Answer = { type: 'answer', id: int(m, 'id') };
      if (m.text !== undefined) answer.text = str(m, 'text');
      return answer;
    }
    case 'bye':
      return optional({ type: 'bye' }, m, 'reason');
    default:
      throw new ProtocolError(`unknown message type ${JSON.stringify(m.type)}`);
  }
}

/** Decodes a message the server sent (the welcome line with or without its magic); throws ProtocolError. */
export function decodeServerMessage(line: string): ServerMessage {
  const m = parse(line.startsWith(PROTOCOL_MAGIC) ? line.slice(PROTOCOL_MAGIC.length) : line);
  switch (m.type) {
    case 'welcome':
      return { type: 'welcome', version: int(m, 'version'), banner: str(m, 'banner'), prompt: str(m, 'prompt') };
    case 'result': {
      const kind = str(m, 'kind');
      if (kind !== 'value' && kind !== 'error' && kind !== 'interrupted') throw new ProtocolError(`unknown result kind ${JSON.stringify(kind)}`);
      return { type: 'result', id: int(m, 'id'), kind, text: str(m, 'text') };
    }
    case 'completions': {
      const candidates = m.candidates;
      if (!Array.isArray(candidates) || !candidates.every((c) => typeof c === 'string')) {
        throw new ProtocolError("'completions' needs 'candidates', an array of strings");
      }
      return { type: 'completions', id: int(m, 'id'), candidates: candidates as string[], prefix: str(m, 'prefix') };
    }
    case 'output': {
      const source = str(m, 'source');
      if (source !== 'program' && source !== 'console') throw new ProtocolError(`unknown output source ${JSON.stringify(source)}`);
      return { type: 'output', text: str(m, 'text'), source };
    }
    case 'ask':
      return { type: 'ask', id: int(m, 'id'), prompt: str(m, 'prompt') };
    case 'previewed': {
      const p: Previewed = { type: 'previewed', id: int(m, 'id') };
      if (m.text !== undefined) p.text = str(m, 'text');
      return p;
    }
    case 'scoped': {
      const s: Scoped = { type: 'scoped', id: int(m, 'id') };
      if (m.text !== undefined) s.text = str(m, 'text');
      return s;
    }
    case 'targeted':
      return { type: 'targeted', id: int(m, 'id'), text: str(m, 'text'), where: str(m, 'where') };
    case 'moved':
      return { type: 'moved', text: str(m, 'text'), where: str(m, 'where') };
    case 'error': {
      const e: ErrorMessage = { type: 'error', code: str(m, 'code'), message: str(m, 'message') };
      if (m.id !== undefined) e.id = int(m, 'id');
      if (m.version !== undefined) e.version = int(m, 'version');
      return e;
    }
    case 'bye':
      return optional({ type: 'bye' }, m, 'reason');
    default:
      throw new ProtocolError(`unknown message type ${JSON.stringify(m.type)}`);
  }
}

type Fields = Record<string, unknown> & { type: unknown };

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

function int(m: Fields, name: string): number {
  const v = m[name];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ProtocolError(`'${String(m.type)}' needs an integer '${name}'`);
  return v;
}

function str(m: Fields, name: string): string {
  const v = m[name];
  if (typeof v !== 'string') throw new ProtocolError(`'${String(m.type)}' needs a string '${name}'`);
  return v;
}

function optional(bye: Bye, m: Fields, name: 'reason'): Bye {
  if (m[name] !== undefined) bye[name] = str(m, name);
  return bye;
}
