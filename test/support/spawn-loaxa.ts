// Runs the real `loaxa` command as a child process, the way an operator does.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/loaxa.js', import.meta.url));
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// Settings from the developer's shell must not leak into a test of the defaults.
const LOAXA_SETTINGS = ['DATABASE_URL', 'REDIS_URL', 'DATA_DIR', 'PORT', 'PUBLIC_BASE_URL', 'TELEGRAM_BOT_TOKEN', 'TELEGRAM_ADMIN_CHAT_ID', 'DEMO_PASSWORD', 'SEED_DEMO', 'ENCRYPTION_KEY'];

export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of LOAXA_SETTINGS) delete env[k];
  return { ...env, LOG_LEVEL: 'info', ...extra };
}

export interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

export function spawnLoaxa(args: string[], env: Record<string, string>, cwd = ROOT): Running {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Runs to completion; returns exit code and output. */
export async function runLoaxa(args: string[], env: Record<string, string>, timeoutMs = 60_000) {
  const r = spawnLoaxa(args, env);
  const timer = setTimeout(() => r.child.kill('SIGKILL'), timeoutMs);
  const code = await r.exited;
  clearTimeout(timer);
  return { code, stdout: r.stdout(), stderr: r.stderr() };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers `status`, or fails after `timeoutMs`. */
export async function waitForHttp(url: string, status = 200, timeoutMs = 60_000, alive?: () => boolean): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (alive && !alive()) throw new Error(`process exited while waiting for ${url}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === status) return res;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})`);
}
