// `npm run test:e2e`: the browser demo end to end (web/test/), apart from `npm test`.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['web/test/**/*.test.ts'],
    // building the site, launching Chromium, and a 100,000-route table in both the CLI and the page
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
