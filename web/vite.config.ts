import { defineConfig } from 'vitest/config';

// The app is served by the service at /app; JSX compiles to Preact without a plugin.
export default defineConfig({
  base: '/app/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: { outDir: 'dist', emptyOutDir: true, assetsInlineLimit: 0, target: 'es2022' },
  server: {
    proxy: {
      '/v1': 'http://127.0.0.1:3000',
      '/app/dev-token': 'http://127.0.0.1:3000',
      '/app/sign-in-options': 'http://127.0.0.1:3000',
      '/docs-json': 'http://127.0.0.1:3000',
    },
  },
  test: { environment: 'happy-dom', include: ['src/**/*.test.{ts,tsx}'] },
});
