// The Node lines the tests run targets (and anode's library) on: the node running the tests, and the
// binaries of test/node-versions/ (`npm run nodes`, linux-x64). A line that is not installed is skipped
// with the reason, never silently. To bump: see test/node-versions/package.json.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'vitest';

export interface NodeLine {
  /** How the tests name it: `v20` (this node), `v22`, `v24`, `v24.9.0`, `v26`. */
  line: string;
  bin: string;
}

const installed = (name: string): string => fileURLToPath(new URL(`../node-versions/node_modules/${name}/bin/node`, import.meta.url));

const self = process.version.split('.')[0]!;
const others: NodeLine[] = [
  { line: 'v20', bin: installed('node20') },
  { line: 'v22', bin: installed('node22') },
  { line: 'v24', bin: installed('node24') },
  // The release whose in-process console aborted inside V8 on a collected promise.
  { line: 'v24.9.0', bin: installed('node24_9') },
  { line: 'v26', bin: installed('node26') },
];

/** Every line, the running node first (it stands for its own line: no second copy of it). */
export const NODE_LINES: NodeLine[] = [{ line: self, bin: process.execPath }, ...others.filter((o) => o.line !== self)];

/** The binary of `line`, or a skip naming why it is missing. */
export function nodeBinary(ctx: TestContext, { line, bin }: NodeLine): string {
  if (!existsSync(bin)) ctx.skip(`Node ${line} is not installed (${bin} missing): run \`npm run nodes\` (linux-x64 only)`);
  return bin;
}

/** The lines the multi-process suites run targets on: the running node, 22 and 24 (each once). */
export const TARGET_LINES: NodeLine[] = [
  { line: self, bin: process.execPath },
  ...others.filter((o) => (o.line === 'v22' || o.line === 'v24') && o.line !== self),
];
