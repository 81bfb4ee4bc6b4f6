// Fails the build when a JavaScript chunk in dist/assets is over the budget (250 kB, as Vite
// counts them: 1 kB = 1000 bytes, before compression). Every page is its own chunk and the
// shared libraries are split (vite.config.ts); a chunk over the budget means a page pulled a
// large library into a shared chunk, or the split was undone.
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BUDGET = 250_000;
const assets = fileURLToPath(new URL('../dist/assets/', import.meta.url));
const over = readdirSync(assets)
  .filter((f) => f.endsWith('.js'))
  .map((f) => ({ f, size: statSync(assets + f).size }))
  .filter(({ size }) => size > BUDGET);
if (over.length > 0) {
  for (const { f, size } of over) {
    console.error(`check-chunks: ${f} is ${String(size)} bytes, over the ${String(BUDGET)} budget`);
  }
  process.exit(1);
}
