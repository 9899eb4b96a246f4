import { defineConfig } from 'vitest/config';

// The end-to-end suite: the real service and Debian's Chromium (npm run test:browser).
export default defineConfig({
  test: {
    root: __dirname,
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    testTimeout: 240_000,
    hookTimeout: 90_000,
    fileParallelism: false,
  },
});
