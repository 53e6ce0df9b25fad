import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // the kernel tests make network namespaces: keep files from racing on one machine's netns list
    pool: 'forks',
  },
});
