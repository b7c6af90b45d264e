// The history file: two consoles on one file lose nothing (merge on write under a lock), and a write that
// fails (the disk full) leaves the file that was there whole.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { HistoryFile } from '../../src/console/history.js';
import { ROOT } from '../helpers/paths.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'anode-history-'));
  dirs.push(d);
  return d;
}

describe('HistoryFile', () => {
  it('two consoles on one file: every entry of both is kept', async () => {
    const file = path.join(tempDir(), 'h');
    writeFileSync(file, 'old\n');
    const a = new HistoryFile(file);
    const b = new HistoryFile(file);
    await Promise.all([a.load(), b.load()]);
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 6; i++) writes.push(a.add(`a${i}`), b.add(`b${i}`));
    await Promise.all(writes);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('old');
    expect(lines.filter((l) => l.startsWith('a'))).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5']);
    expect(lines.filter((l) => l.startsWith('b'))).toEqual(['b0', 'b1', 'b2', 'b3', 'b4', 'b5']);
    expect(readdirSync(path.dirname(file))).toEqual(['h']);
  });

  it('a write that fails (file size limit, as a full disk) leaves the file as it was', () => {
    const dir = tempDir();
    const file = path.join(dir, 'h');
    const before = `${Array.from({ length: 200 }, (_, i) => `entry number ${i}`).join('\n')}\n`;
    writeFileSync(file, before);
    const module = pathToFileURL(path.join(ROOT, 'dist/console/history.js')).href;
    // 1 block of 512 bytes at most per file, SIGXFSZ ignored: the write fails with EFBIG.
    const script = `const { HistoryFile } = await import(${JSON.stringify(module)}); const h = new HistoryFile(${JSON.stringify(file)}); await h.load(); await h.add('new entry'); console.log('added'); const fs = await import('node:fs/promises'); const probe = ${JSON.stringify(file)} + '.probe'; try { await fs.writeFile(probe, 'x'.repeat(5000)); console.log('probe written'); } catch (e) { console.log('probe failed', e.code); } await fs.rm(probe, { force: true });`;
    const out = execFileSync('/bin/sh', ['-c', `trap '' XFSZ; ulimit -f 1; exec "$0" --input-type=module -e "$1"`, process.execPath, script], {
      encoding: 'utf8',
    });
    expect(out).toContain('added');
    // Positive control: the limit does make a plain write of that size fail.
    expect(out).toContain('probe failed EFBIG');
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['h']);
  });
});
