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
