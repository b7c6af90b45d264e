// `anode run` argument splitting: anode's options, node flags, FILE, program arguments.
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { splitRunArgs } from '../../src/cli/args.js';

const cmd = new Command('run')
  .option('--banner <text>')
  .option('--no-color')
  .option('--wait')
  .option('-m, --module <name>');

describe('splitRunArgs', () => {
  it('separates anode options, node flags, the file and its arguments', () => {
    expect(splitRunArgs(['--wait', '--import', 'tsx', '--enable-source-maps', 'app.ts', '--wait', 'x'], cmd.options)).toEqual({
      own: ['--wait'],
      nodeFlags: ['--import', 'tsx', '--enable-source-maps'],
      file: 'app.ts',
      args: ['--wait', 'x'],
    });
  });

  it('handles values given with = or as the next argument', () => {
    expect(splitRunArgs(['--banner', 'hi there', '-r', 'dotenv/config', '--max-old-space-size=100', 'a.js'], cmd.options)).toEqual({
      own: ['--banner', 'hi there'],
      nodeFlags: ['-r', 'dotenv/config', '--max-old-space-size=100'],
      file: 'a.js',
      args: [],
    });
    expect(splitRunArgs(['--banner=x', '--no-color', '-m', 'vitest', 'run'], cmd.options)).toEqual({
      own: ['--banner=x', '--no-color', '-m', 'vitest'],
      nodeFlags: [],
      file: 'run',
      args: [],
    });
  });

  it('stops at -- and allows no file at all', () => {
    expect(splitRunArgs(['--', '--weird-name.js', 'a'], cmd.options)).toEqual({ own: [], nodeFlags: [], file: '--weird-name.js', args: ['a'] });
    expect(splitRunArgs(['--no-color'], cmd.options)).toEqual({ own: ['--no-color'], nodeFlags: [], file: undefined, args: [] });
  });
});
