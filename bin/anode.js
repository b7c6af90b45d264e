#!/usr/bin/env node
// Thin launcher: all of anode lives in dist/ (built by `npm install` / `npm run build`).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
