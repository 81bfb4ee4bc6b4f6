// Restores dist/.gitkeep after `vite build` empties dist/.
// The Go package in embed.go uses `//go:embed all:dist`, which fails to compile when dist/
// is missing or empty; a fresh clone holds only this placeholder, so it must survive builds.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
mkdirSync(dist, { recursive: true });
const keep = `${dist}.gitkeep`;
if (!existsSync(keep)) writeFileSync(keep, '');
