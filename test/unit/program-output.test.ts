// Mirroring formats most log lines in anode, from the inspector's own view of the arguments: the text
// must be what the program's console prints. The arguments here are the real RemoteObjects V8 reports
// for console calls (an in-process inspector session), compared with util.format of the same values.
import { Session, console as inspectorConsole } from 'node:inspector';
import { format, formatWithOptions } from 'node:util';
import type { Protocol } from 'devtools-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localText, notShownCount, skippedNote } from '../../src/session/program-output.js';

let session: Session;
let reported: Protocol.Runtime.ConsoleAPICalledEvent[] = [];

beforeAll(async () => {
  session = new Session();
  session.connect();
  session.on('Runtime.consoleAPICalled', (m: { params: Protocol.Runtime.ConsoleAPICalledEvent }) => reported.push(m.params));
  await new Promise<void>((resolve, reject) => session.post('Runtime.enable', (err) => (err ? reject(err) : resolve())));
});
afterAll(() => session.disconnect());

/** The arguments V8 reports for a console call of `values` (the inspector's console: nothing is printed). */
function argsOf(...values: unknown[]): Protocol.Runtime.RemoteObject[] {
  reported = [];
  inspectorConsole.debug(...values);
  const event = reported.find((e) => e.type === 'debug');
  if (!event) throw new Error('no consoleAPICalled event');
  return event.args;
}

describe('mirroring: log lines formatted in anode', () => {
  const cases: unknown[][] = [
    ['GET /orders 200 3.2 ms'],
    // (V8 reports a %d argument already made an integer, as a browser prints it: Node's console would
    // print 36.5 for 36.5. No mirror of the inspector's view can tell; integers print alike.)
    ['%s is %d years and %i days, %f%%', 'ada', 36, 7.9, 1.5],
    ['%o %O %j', 'str', 42, null],
    ['%c styled', 'color: red'],
    ['a', 1, -0, NaN, Infinity, -Infinity, 10n, true, null, undefined],
    [''],
    ['multi\nline', 'tab\there'],
  ];
  for (const values of cases) {
    it(`${JSON.stringify(values, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}: as util.format prints it, with colours and without`, () => {
      const args = argsOf(...values);
      expect(localText(args, false)).toBe(format(...values));
      expect(localText(args, true)).toBe(formatWithOptions({ colors: true }, ...values));
    });
  }

  it('an object, a function, a symbol among the arguments: left to the target (positive control: it is one)', () => {
    for (const values of [['x', { a: 1 }], [[1, 2]], [() => 1], [Symbol('s')], [new Error('e')]]) {
      expect(localText(argsOf(...values), false)).toBeUndefined();
    }
    expect(localText(argsOf('x', 1), false)).toBe('x 1');
  });

  it('the note for lines not shown: exact below what the inspector keeps, a lower bound from there', () => {
    expect(notShownCount(0)).toEqual({ count: 0, atLeast: false });
    expect(notShownCount(999)).toEqual({ count: 999, atLeast: false });
    expect(notShownCount(1000)).toEqual({ count: 1000, atLeast: true });
    expect(skippedNote(1)).toMatch(/^anode: 1 line not shown: /);
    expect(skippedNote(1200, true)).toMatch(/^anode: at least 1200 lines not shown: /);
  });
});
