// The chaos scenarios: each breaks something in the middle of real work and measures what came out
// — sent, missing, duplicates (messages a group got more than once), the deliveries the report
// marks "có thể trùng", seconds until the work was done again, and the roles' exit codes.
import { Cluster, waitFor, type FanOut, type Role } from './cluster.ts';

export interface ChaosResult {
  ok: boolean;
  figures: Record<string, number | boolean | Record<string, number | string>>;
}

export interface ChaosScenario {
  name: string;
  description: string;
  run(c: Cluster, opts: { groups: number }): Promise<ChaosResult>;
  /** Extra time the runner allows beyond its usual budget (slow sends take longer at many groups). */
  extraBudgetMs?(groups: number): number;
}

const FINISH_MS = 180_000;
const SLOW_SEND_MS = 2500;

/** Jobs one worker runs at a time (WORKER_CONCURRENCY's default, which the roles here keep). */
const CONCURRENCY = 4;

/**
 * How long a run may take to finish after the fault: the base window, plus every group's two
 * sends (text and voice) at the Bot API's delay on the one worker left, with half again as margin.
 */
export function finishWindowMs(sendDelayMs: number, groups: number): number {
  return FINISH_MS + Math.ceil((groups * 2 * sendDelayMs * 1.5) / CONCURRENCY);
}

/** Kills or breaks at about a third of the run's messages. */
async function midway(c: Cluster, f: FanOut): Promise<void> {
  await waitFor('the fan-out to be under way', () => c.sentTo(f.chats) >= Math.max(4, Math.floor((f.chats.length * 2) / 3)), 120_000);
}

async function measured(c: Cluster, f: FanOut, faultAt: number, extra: Record<string, number | boolean> = {}): Promise<ChaosResult> {
  const o = await c.outcome(f, finishWindowMs(c.api.sendDelayMs, f.chats.length));
  const recovery_s = Math.round((Date.now() - faultAt) / 100) / 10;
  const exit_codes = await c.stopRoles();
  return { ok: o.finished && o.missing === 0, figures: { sent: o.sent, missing: o.missing, duplicates: o.duplicates, possible_duplicates: o.possible_duplicates, recovery_s, exit_codes, ...extra } };
}

async function twoWorkers(c: Cluster): Promise<[Role, Role]> {
  return [await c.start('worker-1', ['worker']), await c.start('worker-2', ['worker'])];
}

export const scenarios: ChaosScenario[] = [
  {
    name: 'worker-sigkill',
    description: 'SIGKILL of one of two workers in the middle of a fan-out',
    async run(c, { groups }) {
      const [w1] = await twoWorkers(c);
      const f = await c.fanOut(groups);
      await midway(c, f);
      w1.proc.child.kill('SIGKILL');
      return measured(c, f, Date.now());
    },
  },
  {
    name: 'redis-flushall',
    description: 'Redis loses every key (FLUSHALL) in the middle of a fan-out; nothing is restarted',
    async run(c, { groups }) {
      await twoWorkers(c);
      const f = await c.fanOut(groups);
      await midway(c, f);
      await c.flushall();
      return measured(c, f, Date.now());
    },
  },
  {
    name: 'redis-restart',
    description: 'Redis stops (append-only file written) and starts again 3 s later, mid fan-out',
    async run(c, { groups }) {
      await twoWorkers(c);
      const f = await c.fanOut(groups);
      await midway(c, f);
      const at = Date.now();
      await c.restartRedis(3000);
      return measured(c, f, at);
    },
  },
  {
    name: 'pg-terminate',
    description: "PostgreSQL ends every connection of the roles every 2 s for 20 s, mid fan-out",
    async run(c, { groups }) {
      await twoWorkers(c);
      const f = await c.fanOut(groups);
      await midway(c, f);
      const at = Date.now();
      let terminated = 0;
      while (Date.now() - at < 20_000) {
        terminated += await c.terminateConnections().catch(() => 0);
        await new Promise((r) => setTimeout(r, 2000));
      }
      return measured(c, f, at, { terminated });
    },
  },
  {
    name: 'bots-sigkill-inbound',
    description: 'SIGKILL of the bots role while residents write; restarted, then every update replayed',
    async run(c, { groups }) {
      const residents = Math.max(10, groups);
      await c.start('worker-1', ['worker']);
      let bots = await c.start('bots', ['bots']);
      const messages: Array<{ userId: number; messageId: number; text: string }> = [];
      for (let i = 0; i < residents; i++) {
        const userId = 880_000 + i + Math.floor(Math.random() * 1000) * 1000;
        const text = `Đường thôn ${i} bị ngập, xin xã cho người xử lý.`;
        messages.push({ userId, messageId: c.api.residentSends({ userId, text }), text });
      }
      const stored = () => c.prisma.inboundMessage.count({ where: { platformUserId: { in: messages.map((m) => String(m.userId)) } } });
      await waitFor('half the messages stored', async () => (await stored()) >= residents / 2, 120_000).catch(() => undefined);
      const at = Date.now();
      bots.proc.child.kill('SIGKILL');
      const killed = await bots.exit();
      bots = await c.start('bots-2', ['bots']);
      // Telegram hands unconfirmed updates out again by itself; replay every one on top of that.
      for (const m of messages) {
        c.api.pushUpdate({ message: { message_id: m.messageId, date: Math.floor(Date.now() / 1000), chat: { id: m.userId, type: 'private', first_name: 'Dân' }, from: { id: m.userId, is_bot: false, first_name: 'Dân' }, text: m.text } });
      }
      const answered = () => messages.filter((m) => c.api.sentTo(m.userId).length > 0).length;
      await waitFor('every resident answered', () => answered() === residents, FINISH_MS).catch(() => undefined);
      const recovery_s = Math.round((Date.now() - at) / 100) / 10;
      // Let replays that would make a second answer arrive before counting.
      await new Promise((r) => setTimeout(r, 5000));
      const replies = messages.map((m) => c.api.sentTo(m.userId).length);
      const rows = await stored();
      const exit_codes = { bots: killed, ...(await c.stopRoles()) };
      const missing = replies.filter((n) => n === 0).length;
      return { ok: missing === 0 && rows === residents, figures: { sent: residents, stored: rows, missing, duplicates: replies.reduce((s, n) => s + Math.max(0, n - 1), 0), recovery_s, exit_codes } };
    },
  },
  {
    name: 'single-box-sigkill',
    description: '`loaxa start` (one process, private redis-server) SIGKILLed mid fan-out and started again',
    async run(c, { groups }) {
      // The run is only written to the database: the process's first recovery pass queues it.
      const f = await c.fanOut(groups, false);
      const env = { REDIS_URL: '', DATA_DIR: `${c.dir}/single-box` };
      const first = await c.start('start-1', ['start'], env);
      await midway(c, f);
      first.proc.child.kill('SIGKILL');
      const killed = await first.exit();
      const at = Date.now();
      await c.start('start-2', ['start'], env);
      const r = await measured(c, f, at);
      return { ...r, figures: { ...r.figures, exit_codes: { 'start-1': killed, ...(r.figures.exit_codes as Record<string, number | string>) } } };
    },
  },
  {
    name: 'worker-sigterm-slow',
    description: 'SIGTERM (SHUTDOWN_TIMEOUT_MS=3000) of a worker whose sends take 2.5 s; the other finishes its jobs',
    extraBudgetMs: (groups) => finishWindowMs(SLOW_SEND_MS, groups) - FINISH_MS,
    async run(c, { groups }) {
      c.api.sendDelayMs = SLOW_SEND_MS;
      try {
        const [w1] = await twoWorkers(c);
        const f = await c.fanOut(groups);
        await waitFor('sends in flight', () => c.sentTo(f.chats) >= 8, 120_000);
        const at = Date.now();
        w1.proc.child.kill('SIGTERM');
        const code = await w1.exit();
        const stop_s = Math.round((Date.now() - at) / 100) / 10;
        const r = await measured(c, f, at, { stop_s });
        const exit_codes = { 'worker-1': code, ...(r.figures.exit_codes as Record<string, number | string>) };
        return { ok: r.ok && code === 0 && stop_s <= 5, figures: { ...r.figures, exit_codes } };
      } finally {
        c.api.sendDelayMs = 0;
      }
    },
  },
];
