// The console engine over in-memory streams with a scripted evaluator: no TTY, no target.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConsoleEngine } from '../../src/console/engine.js';
import { TargetClosedError } from '../../src/errors.js';
import type { EvalOutcome, LineEvaluator } from '../../src/console/types.js';

function setup(evaluate: LineEvaluator['evaluate'], options: { maxLineLength?: number; maxEntryParse?: number } = {}) {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.setEncoding('utf8').on('data', (d: string) => (text += d));
  const engine = new ConsoleEngine({ input, output, evaluator: { evaluate }, banner: 'hi', ...options });
  const done = engine.run();
  return { input, engine, done, text: () => text };
}

const echoEval: LineEvaluator['evaluate'] = async (code) => ({ kind: 'value', text: `<${code}>` });

describe('ConsoleEngine', () => {
  it('prints the banner, evaluates lines in order and ends at EOF', async () => {
    const seen: string[] = [];
    const { input, done, text } = setup(async (code) => {
      seen.push(code);
      await new Promise((r) => setTimeout(r, 5));
      return { kind: 'value', text: code.toUpperCase() };
    });
    input.end('a\nb\nc\n');
    expect(await done).toBe('eof');
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(text()).toBe('hi\n> A\n> B\n> C\n> ');
  });

  it('joins incomplete input with a continuation prompt', async () => {
    const { input, done, text } = setup(echoEval);
    input.end('function f() {\nreturn 1\n}\nf()\n');
    await done;
    expect(text()).toBe('hi\n> ... ... <function f() {\nreturn 1\n}>\n> <f()>\n> ');
  });

  it('.break abandons a multi-line entry; .exit ends with "exit"; unknown commands are named', async () => {
    const { input, done, text } = setup(echoEval);
    input.write('if (x) {\n.break\n.nope\n1\n.exit\n2\n');
    expect(await done).toBe('exit');
    expect(text()).toBe('hi\n> ... > Invalid REPL keyword\n> <1>\n> ');
  });

  it('treats a leading-dot number as code, not a command', async () => {
    const { input, done, text } = setup(echoEval);
    input.end('.5 + 1\n');
    await done;
    expect(text()).toContain('<.5 + 1>');
  });

  it('.help lists the commands', async () => {
    const { input, done, text } = setup(echoEval);
    input.end('.help\n');
    await done;
    expect(text()).toMatch(/\.break\s+Sometimes you get stuck/);
    expect(text()).toMatch(/\.exit\s+Exit the console/);
  });

  it('refuses over-long lines without evaluating them', async () => {
    const seen: string[] = [];
    const { input, done, text } = setup(async (code) => {
      seen.push(code);
      return { kind: 'value', text: 'ok' };
    }, { maxLineLength: 10 });
    input.end(`${'x'.repeat(50)}\n1\n`);
    await done;
    expect(seen).toEqual(['1']);
    expect(text()).toContain('anode: line too long (50 characters, limit 10); discarded');
  });

  it('holds a multi-line entry to the length limit and to a bounded amount of re-parsing', async () => {
    const seen: string[] = [];
    const evaluate: LineEvaluator['evaluate'] = async (code) => {
      seen.push(code);
      return { kind: 'value', text: 'ok' };
    };
    // 3 lines of 9 characters: 29 characters, over the limit of 20 although each line is within it.
    const long = setup(evaluate, { maxLineLength: 20 });
    long.input.end('`abcdefgh\nabcdefghi\nabcdefghi\n1\n');
    await long.done;
    expect(seen.splice(0)).toEqual(['1']);
    expect(long.text()).toContain('> ... ... anode: entry too long (3 lines, 29 characters; limit 20 characters); discarded\n> ok');
    // An open brace, then short lines: the re-checks (4 + 7 + 10 + ... characters) pass 100 at the 9th line.
    const many = setup(evaluate, { maxEntryParse: 100 });
    many.input.end(`{\n${'x;\n'.repeat(12)}}\n2\n`);
    await many.done;
    expect(seen).toEqual(['x;', 'x;', 'x;', 'x;', '}', '2']);
    expect(many.text()).toContain('anode: entry too long (9 lines, 25 characters; too many lines: send it in fewer, longer lines); discarded\n');
  });

  it('interrupt() aborts the running entry; close() ends the console with a message', async () => {
    let signal: AbortSignal | undefined;
    const { input, engine, done, text } = setup(
      (_code, options) =>
        new Promise<EvalOutcome>((resolve) => {
          signal = options?.signal;
          signal?.addEventListener('abort', () => resolve({ kind: 'interrupted', text: 'stopped' }));
        }),
    );
    input.write('forever\n');
    while (!signal) await new Promise((r) => setImmediate(r));
    engine.interrupt();
    while (!text().includes('stopped')) await new Promise((r) => setImmediate(r));
    engine.close('target gone');
    expect(await done).toBe('closed');
    expect(text()).toBe('hi\n> stopped\n> \ntarget gone\n');
  });

  it('stops quietly when the evaluator reports the target closed', async () => {
    const { input, done, text } = setup(async () => {
      throw new TargetClosedError('gone');
    });
    input.write('1\n');
    expect(await done).toBe('closed');
    expect(text()).toBe('hi\n> ');
  });

  it('waits for a slow reader before reading the next entry (back-pressure)', async () => {
    const input = new PassThrough();
    const output = new PassThrough({ highWaterMark: 16 });
    const seen: string[] = [];
    const engine = new ConsoleEngine({
      input,
      output,
      evaluator: {
        evaluate: async (code) => {
          seen.push(code);
          return { kind: 'value', text: 'y'.repeat(1000) };
        },
      },
    });
    const done = engine.run();
    input.write('a\nb\n');
    while (seen.length < 1) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual(['a']);
    output.resume();
    input.end();
    await done;
    expect(seen).toEqual(['a', 'b']);
  });
});

describe('ConsoleEngine: a failing entry', () => {
  it('says what failed in one line and goes on', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (d: Buffer) => (text += d.toString()));
    let calls = 0;
    const engine = new ConsoleEngine({
      input,
      output,
      evaluator: {
        evaluate: async (code) => {
          calls += 1;
          if (code === 'bad') throw new Error('the reply was lost');
          return { kind: 'value', text: `ok ${code}` };
        },
      },
    });
    const done = engine.run();
    input.end('bad\n1\n');
    expect(await done).toBe('eof');
    expect(calls).toBe(2);
    expect(text).toBe('> anode: the reply was lost\n> ok 1\n> ');
  });
});
