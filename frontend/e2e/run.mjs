// `npm run e2e`: builds dist/ when missing, then runs the browser journeys (e2e/*.test.mjs)
// with node's test runner. Needs Debian's chromium (`apt-get install -y chromium`).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(`${root}dist/index.html`)) {
  const b = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
const files = readdirSync(`${root}e2e`)
  .filter((f) => f.endsWith('.test.mjs'))
  .map((f) => `e2e/${f}`);
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
