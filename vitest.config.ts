import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // a file per core, where vitest's default leaves one core free: many files wait on the
    // processes and daemons they start (1.67x faster on two cores: 585 s -> 350 s). The kernel
    // tests name their network namespaces by process, so files running side by side do not meet.
    // At most four: some files start routing daemons, Prometheus or a browser, and the timing
    // of the serve tests was only ever seen with two files at once.
    maxWorkers: Math.min(4, availableParallelism()),
  },
});
