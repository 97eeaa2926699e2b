// The process that holds the data folder (and so the embedded database) answers a few operator
// commands from the CLI — `loaxa link-staff` — over a unix socket in the data folder, so they work
// while `npm start` runs. The socket file is the owner's only (mode 0600): whoever may use it may
// already read the data folder. One JSON line in, one JSON line out.
import { chmod, rm } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';

export type ControlHandler = (args: Record<string, unknown>) => Promise<string>;
export type ControlReply = { ok: true; text: string } | { ok: false; error: string };

export function controlSocketPath(dataDir: string): string {
  return join(dataDir, 'loaxa.sock');
}

/** Serves the handlers; call only while holding the data-folder lock (a stale file is replaced). */
/** `describeError` turns a handler's failure into the sentence the operator sees (and logs bugs). */
export async function startControlSocket(dataDir: string, handlers: Record<string, ControlHandler>, describeError: (e: unknown) => string): Promise<{ close(): Promise<void> }> {
  const path = controlSocketPath(dataDir);
  await rm(path, { force: true });
  const server = net.createServer((socket) => {
    let buf = '';
    socket.setEncoding('utf8');
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: string) => {
      buf += chunk;
      // `loaxa commune add` sends its two lists (at most 200 KB each, JSON-escaped).
      if (buf.length > 1_000_000) return socket.destroy();
      const nl = buf.indexOf('\n');
      if (nl === -1) return;
      void answer(buf.slice(0, nl)).then((reply) => socket.end(`${JSON.stringify(reply)}\n`));
    });
  });
  const answer = async (line: string): Promise<ControlReply> => {
    let req: { op?: unknown; args?: unknown };
    try {
      req = JSON.parse(line) as typeof req;
    } catch {
      return { ok: false, error: 'yêu cầu không hợp lệ' };
    }
    const handler = typeof req.op === 'string' ? handlers[req.op] : undefined;
    if (!handler) return { ok: false, error: `lệnh "${String(req.op)}" không có` };
    try {
      return { ok: true, text: await handler((req.args ?? {}) as Record<string, unknown>) };
    } catch (e) {
      return { ok: false, error: describeError(e) };
    }
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  await chmod(path, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        void rm(path, { force: true });
      }),
  };
}

/** Asks the running process; undefined when none answers (no socket, or a stale one). */
export function askControlSocket(dataDir: string, op: string, args: Record<string, unknown>, timeoutMs = 15_000): Promise<ControlReply | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(controlSocketPath(dataDir));
    let buf = '';
    const timer = setTimeout(() => done(undefined), timeoutMs);
    const done = (r: ControlReply | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify({ op, args })}\n`));
    socket.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl === -1) return;
      try {
        done(JSON.parse(buf.slice(0, nl)) as ControlReply);
      } catch {
        done(undefined);
      }
    });
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(undefined));
  });
}
