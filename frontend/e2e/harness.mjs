// Shared e2e plumbing: serve dist/ with `vite preview` on a free loopback port and drive
// Debian's chromium through playwright-core (no browser download, ever).
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { preview } from 'vite';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts `vite preview` for dist/ on 127.0.0.1 and returns its base URL and a close(). */
export async function startPreview() {
  const server = await preview({
    root: new URL('..', import.meta.url).pathname,
    logLevel: 'silent',
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false, proxy: {} },
  });
  const addr = server.httpServer.address();
  if (!addr || typeof addr === 'string') throw new Error('preview did not listen');
  return {
    baseURL: `http://127.0.0.1:${addr.port}`,
    close: () => new Promise((resolve) => server.httpServer.close(() => resolve())),
  };
}

/** Launches headless chromium. */
export async function launch() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}
