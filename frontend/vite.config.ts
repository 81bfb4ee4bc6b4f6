/// <reference types="vitest/config" />
import { fileURLToPath, URL } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The Go service embeds dist/ (see embed.go) and serves it with an index.html fallback,
// so the SPA is always same-origin with /api and /sso. In development Vite proxies those
// paths to a locally running service.
const backend = process.env.APPLINKS_DEV_BACKEND ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  build: {
    outDir: 'dist',
    // dist/.gitkeep is restored by scripts/keep-dist.mjs after the build.
    emptyOutDir: true,
    sourcemap: false,
    rolldownOptions: {
      output: {
        codeSplitting: {
          // Every page is a lazy chunk (src/app/router.tsx, src/portal/router.tsx). The
          // libraries every page needs get chunks of their own, which stay cached (immutable,
          // content-hashed) across releases that change only the app; libraries used by one
          // page (e.g. @dnd-kit in Configure) stay in that page's chunk. React and the rest are
          // two chunks so that none is over 250 kB (scripts/check-chunks.mjs holds the build to
          // it).
          groups: [
            {
              name: 'react',
              test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/,
            },
            {
              name: 'vendor',
              test: /node_modules[\\/](react-router|@tanstack|openapi-fetch)[\\/]/,
            },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': backend,
      '/sso': backend,
    },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/testing/setup-tests.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    restoreMocks: true,
    // The machines that run these are shared and often busy: a user-event
    // test typing 65 characters can take seconds. Outcomes, not speed, are
    // asserted here.
    testTimeout: 30_000,
  },
});
