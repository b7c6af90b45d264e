#!/usr/bin/env node
// Thin launcher: all of anode lives in dist/ (built by `npm install` / `npm run build`). Before anode's
// code loads, its own process is cleared of an inspector NODE_OPTIONS opened and of anode's variables.
import { clearOwnEnvironment } from '../dist/cli/own-environment.js';

for (const note of clearOwnEnvironment()) process.stderr.write(`anode: ${note}\n`);
const { main } = await import('../dist/cli/main.js');

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
