import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 2,
    // End-to-end files start real processes: a failure prints their output (see test/helpers).
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'anode', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/node-versions/**'] } },
      // `anode attach PID` and `anode ps` once more on the process table of ps + lsof (what macOS has).
      {
        extends: true,
        test: {
          name: 'ps-lsof',
          include: ['test/e2e/attach.test.ts', 'test/e2e/attach-targets.test.ts'],
          env: { ANODE_PROCESS_TABLE: 'portable' },
        },
      },
    ],
  },
});
