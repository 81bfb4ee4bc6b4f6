// Starts the REAL applinks binary, built with the demo (-tags demo: bin/applinks-demo), for browser
// journeys: a fresh temp data dir (embedded SQLite), the demo (simulated cPanel servers in-process,
// their pages under /__sim/), a known admin password, all on free loopback ports. stop() ends the
// process (SIGTERM, then SIGKILL) and removes the data dir.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const frontendRoot = fileURLToPath(new URL('..', import.meta.url));

/** The demo binary: $APPLINKS_BIN (the Makefile's e2e target) or ../bin/applinks-demo. */
export const APPLINKS_BIN = resolve(
  frontendRoot,
  process.env.APPLINKS_BIN ?? '../bin/applinks-demo',
);

function canListen(port) {
  return new Promise((ok) => {
    const srv = net.createServer();
    srv.once('error', () => ok(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => ok(true)));
  });
}

/** A free loopback port chosen by the kernel. */
export function freePort() {
  return new Promise((ok, fail) => {
    const srv = net.createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/**
 * `count` consecutive free loopback ports (the demo uses SIM_PORT..SIM_PORT+3), below Linux's
 * ephemeral range (32768 and up) so that other connections do not take them meanwhile.
 */
export async function freePortRange(count) {
  for (let i = 0; i < 50; i++) {
    const base = 20000 + Math.floor(Math.random() * (12000 - count));
    let all = true;
    for (let p = base; p < base + count && all; p++) all = await canListen(p);
    if (all) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

/**
 * Starts the binary with the demo. Returns { baseURL, metricsURL, adminEmail, adminPassword, logs(),
 * stop() }.
 * Waits until /readyz answers 200.
 */
export async function startBinary({ adminPassword = 'e2e-admin-password-1', env = {} } = {}) {
  if (!existsSync(APPLINKS_BIN)) {
    throw new Error(
      `${APPLINKS_BIN} not found: npm run build && (cd .. && go build -tags demo -o bin/applinks-demo ./api/cmd/applinks)`,
    );
  }
  const port = await freePort();
  // The metrics listener (GET /metrics) gets its own free port: the default 127.0.0.1:9100
  // would collide between runs.
  const metricsPort = await freePort();
  const simPort = await freePortRange(4);
  const dataDir = mkdtempSync(join(tmpdir(), 'applinks-e2e-'));
  const baseURL = `http://127.0.0.1:${port}`;
  const adminEmail = 'admin@example.com';
  let out = '';
  const child = spawn(APPLINKS_BIN, [], {
    cwd: dataDir,
    env: {
      PATH: process.env.PATH,
      HOME: dataDir,
      APPLINKS_ADDR: `127.0.0.1:${port}`,
      APPLINKS_METRICS_ADDR: `127.0.0.1:${metricsPort}`,
      APPLINKS_PUBLIC_URL: baseURL,
      APPLINKS_DATA_DIR: dataDir,
      APPLINKS_DEMO: 'true',
      // The demo's simulated servers listen on 127.0.0.1.
      APPLINKS_ALLOW_LOOPBACK_SERVERS: 'true',
      APPLINKS_DEMO_SIM_PORT: String(simPort),
      APPLINKS_ADMIN_EMAIL: adminEmail,
      APPLINKS_ADMIN_PASSWORD: adminPassword,
      APPLINKS_LOG_LEVEL: 'info',
      APPLINKS_SHUTDOWN_GRACE: '2s',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (b) => {
    out += b.toString();
    if (out.length > 2_000_000) out = out.slice(-1_000_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })));

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 8000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`applinks exited early (${child.exitCode}):\n${out}`);
    }
    try {
      const r = await fetch(`${baseURL}/readyz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`applinks did not become ready in 30s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  const metricsURL = `http://127.0.0.1:${metricsPort}/metrics`;
  return { baseURL, metricsURL, simPort, adminEmail, adminPassword, logs: () => out, stop };
}

/**
 * Waits until fn() answers truthy, polling every 250 ms for up to ms (an operation of the
 * binary: two minutes by default); a throw counts as "not yet" until the deadline.
 */
export async function eventually(what, fn, ms = 120_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if (await fn()) return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
