// The anode console protocol: encoding, decoding and validation of every message, and the hello line.
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { ProtocolError } from '../../src/errors.js';
import {
  CAPABILITIES,
  PROTOCOL_MAGIC,
  PROTOCOL_MINOR,
  PROTOCOL_VERSION,
  decodeClientMessage,
  decodeServerMessage,
  encode,
  helloLine,
  isHelloLine,
  requestIdOf,
  type ClientMessage,
  type ServerMessage,
} from '../../src/server/protocol.js';
import { ProtocolSniffer } from '../../src/server/protocol-sniffer.js';

describe('anode protocol', () => {
  it('round-trips every client message', () => {
    const messages: ClientMessage[] = [
      { type: 'hello', version: PROTOCOL_VERSION },
      { type: 'eval', id: 1, code: 'a\n"b"\u2028' },
      { type: 'interrupt', id: 1 },
      { type: 'complete', id: 2, line: 'glob' },
      { type: 'preview', id: 3, code: '[1, 2].map', width: 80 },
      { type: 'scope', id: 4 },
      { type: 'scope', id: 5, file: 'lib/db.js' },
      { type: 'watch', on: true },
      { type: 'inspect', id: 6, command: 'loop', arg: 'all json' },
      { type: 'inspect', id: 7, command: 'heapsnapshot', arg: '' },
      { type: 'answer', id: 1, text: 'Ada' },
      { type: 'answer', id: 2 },
      { type: 'bye' },
      { type: 'bye', reason: 'leaving' },
    ];
    for (const m of messages) {
      const line = encode(m);
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1)).not.toContain('\n');
      expect(decodeClientMessage(line.slice(0, -1))).toEqual(m);
    }
  });

  it('round-trips every server message', () => {
    const messages: ServerMessage[] = [
      { type: 'welcome', version: 1, banner: 'hi\nthere', prompt: '> ' },
      { type: 'result', id: 3, kind: 'value', text: '2' },
      { type: 'result', id: 4, kind: 'interrupted', text: 'Interrupted' },
      { type: 'completions', id: 5, candidates: ['globalThis'], prefix: 'glob' },
      { type: 'previewed', id: 6, text: '[Function: map]' },
      { type: 'previewed', id: 7 },
      { type: 'scoped', id: 8, text: 'Top-level variables of app.js (CommonJS):\n  db: [Pool]' },
      { type: 'scoped', id: 9 },
      { type: 'output', text: '[program] hi\n', source: 'program' },
      { type: 'output', text: 'aprint\n', source: 'console' },
      { type: 'ask', id: 1, prompt: 'name? ' },
      { type: 'inspecting', id: 10, pid: 4242 },
      { type: 'progress', id: 10, text: 'heap snapshot 42% (420 of 1000 objects)' },
      { type: 'chunk', id: 10, chunk: '{"snapshot":{"meta":\u2028"x"}\n' },
      { type: 'inspected', id: 10, text: 'Top functions by self time\n', ms: 1003 },
      { type: 'inspected', id: 11, text: '' },
      { type: 'error', code: 'version', message: 'no', version: 1 },
      { type: 'error', code: 'busy', message: 'no', id: 7 },
      { type: 'bye', reason: 'the program exited (code 0)' },
    ];
    for (const m of messages) expect(decodeServerMessage(encode(m).slice(0, -1))).toEqual(m);
    // A newer minor version's message type is skipped; its extra fields are dropped.
    expect(decodeServerMessage('{"type":"teleport"}')).toBeUndefined();
    expect(decodeServerMessage('{"type":"bye","reason":"x","later":1}')).toEqual({ type: 'bye', reason: 'x' });
  });

  it('checks the fields of the loop commands (inspect) and their replies', () => {
    expect(() => decodeClientMessage('{"type":"inspect","id":1,"command":"format-disk","arg":""}')).toThrow(/unknown inspect command "format-disk"/);
    expect(() => decodeClientMessage('{"type":"inspect","id":1,"command":"loop"}')).toThrow(/'inspect' needs a string 'arg'/);
    expect(() => decodeServerMessage('{"type":"chunk","id":1}')).toThrow(/'chunk' needs a string 'chunk'/);
    expect(() => decodeServerMessage('{"type":"inspecting","id":1,"pid":"12"}')).toThrow(/'inspecting' needs an integer 'pid'/);
    expect(() => decodeServerMessage('{"type":"inspected","id":1,"text":"x","ms":1.5}')).toThrow(/'inspected' needs an integer 'ms'/);
    // Its request id is found for an error even when the line is cut.
    expect(requestIdOf('{"type":"inspect","id":9,"command":"pro')).toBe(9);
    // It came with minor 2, as a capability.
    expect(PROTOCOL_MINOR).toBe(2);
    expect(CAPABILITIES).toContain('inspect');
  });

  it('finds the request id at the head of a line it could not decode', () => {
    expect(requestIdOf('{"type":"eval","id":12,"code":"\'xxxx')).toBe(12);
    expect(requestIdOf('{"type":"watch","on":true}')).toBeUndefined();
    expect(requestIdOf('1 + 1')).toBeUndefined();
  });

  it('opens with a magic line that is never valid JavaScript', () => {
    const line = helloLine();
    expect(isHelloLine(line)).toBe(true);
    expect(line.startsWith(PROTOCOL_MAGIC)).toBe(true);
    const announced = { minor: PROTOCOL_MINOR, capabilities: [...CAPABILITIES] };
    expect(decodeClientMessage(line.trimEnd())).toEqual({ type: 'hello', version: PROTOCOL_VERSION, ...announced });
    expect(decodeClientMessage(helloLine(999).trimEnd())).toEqual({ type: 'hello', version: 999, ...announced });
    expect(decodeClientMessage(helloLine(1, true).trimEnd())).toEqual({ type: 'hello', version: 1, colors: true, ...announced });
    // A minor-0 hello (no minor, no capabilities) is still a hello.
    expect(decodeClientMessage('anode-protocol {"type":"hello","version":1}')).toEqual({ type: 'hello', version: 1 });
    expect(() => new Function(line)).toThrow(SyntaxError);
    expect(isHelloLine('anode - protocol {}')).toBe(false);
  });

  it.each([
    ['not json', /not a JSON message/],
    ['[1]', /JSON object/],
    ['{"id":1}', /string 'type'/],
    ['{"type":"launch"}', /unknown message type "launch"/],
    ['{"type":"eval","id":"1","code":"x"}', /integer 'id'/],
    ['{"type":"eval","id":1.5,"code":"x"}', /integer 'id'/],
    ['{"type":"eval","id":1}', /string 'code'/],
    ['{"type":"watch","on":"yes"}', /boolean 'on'/],
    ['{"type":"hello"}', /integer 'version'/],
    ['{"type":"hello","version":1,"colors":1}', /boolean 'colors'/],
  ])('refuses the client message %s with a ProtocolError', (line, message) => {
    expect(() => decodeClientMessage(line)).toThrow(ProtocolError);
    expect(() => decodeClientMessage(line)).toThrow(message);
  });

  it.each([
    ['{"type":"result","id":1,"kind":"maybe","text":""}', /unknown result kind/],
    ['{"type":"completions","id":1,"candidates":[1],"prefix":""}', /array of strings/],
    ['{"type":"welcome","version":1,"banner":""}', /string 'prompt'/],
    ['anode: line too long (5 bytes, limit 4); discarded', /not a JSON message/],
  ])('refuses the server message %s with a ProtocolError', (line, message) => {
    expect(() => decodeServerMessage(line)).toThrow(message);
  });
});

describe('ProtocolSniffer', () => {
  async function sniff(lines: string[]): Promise<{ hello: string | undefined; passed: string }> {
    const sniffer = new ProtocolSniffer();
    let hello: string | undefined;
    sniffer.on('hello', (l: string) => (hello = l));
    const source = new PassThrough();
    source.pipe(sniffer);
    let passed = '';
    sniffer.on('data', (d: Buffer) => (passed += d.toString()));
    for (const l of lines) source.write(l);
    source.end();
    await new Promise((r) => sniffer.once('end', r));
    return { hello, passed };
  }

  it('takes a first-line hello out of the stream', async () => {
    const r = await sniff([helloLine(), '{"type":"bye"}\n']);
    expect(r.hello).toBe(helloLine().trimEnd());
    expect(r.passed).toBe('{"type":"bye"}\n');
  });

  it('passes a plain client through untouched, even a later magic line', async () => {
    const r = await sniff(['1 + 1\n', helloLine()]);
    expect(r.hello).toBeUndefined();
    expect(r.passed).toBe(`1 + 1\n${helloLine()}`);
  });
});
