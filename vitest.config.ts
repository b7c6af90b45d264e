import { configDefaults, defineConfig } from 'vitest/config';

/** Programs started plainly open their inspector on 127.0.0.1:9229: the tests of that live here alone. */
const DEFAULT_PORT = 'test/e2e/default-port.test.ts';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 2,
    // End-to-end files start real processes: a failure prints their output (see test/helpers).
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'anode', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/node-versions/**', DEFAULT_PORT] },
      },
      // `anode attach PID`, `anode ps` and run's process tree once more on the process table of ps + lsof (macOS's).
      {
        extends: true,
        test: {
          name: 'ps-lsof',
          include: ['test/e2e/attach.test.ts', 'test/e2e/attach-targets.test.ts', 'test/e2e/process-tree.test.ts'],
          env: { ANODE_PROCESS_TABLE: 'portable' },
        },
      },
      // The only file that takes the default inspector port 9229: alone, after every other group.
      { extends: true, test: { name: 'port-9229', include: [DEFAULT_PORT], fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
