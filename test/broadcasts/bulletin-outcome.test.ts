// The fan-out knows no platform: whatever an adapter's sendBulletin does (its own part names, a
// broadcast it keeps itself, a quota that stops it), deliver() records the outcome the same way.
// A fake adapter with behaviour no real one has goes through unchanged code; and the fan-out's
// files name no platform or target kind outside the one map that says which is which.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { ChannelDirectory } from '../../src/channels/channel-directory.ts';
import { createMediaLinkSigner } from '../../src/media/signed-url.ts';
import { storeMedia } from '../../src/media/media-store.ts';
import { createBulletinWorkflow } from '../../src/bulletins/bulletin-workflow.ts';
import { deliver } from '../../broadcasts/fanout/deliver.ts';
import { startRun } from '../../broadcasts/fanout/start-run.ts';
import { TARGET_PLATFORM } from '../../broadcasts/fanout/target-channel.ts';
import { ChannelError, type Channel } from '../../bots/channel.ts';
import type { BulletinDelivery } from '../../bots/bulletin-delivery.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
const dataDir = mkdtempSync(join(tmpdir(), 'loaxa-bulletin-outcome-'));
let communeId = '';
let targetId = '';
const staff: Record<string, string> = {};
const directory = new ChannelDirectory();
let behaviour: BulletinDelivery['sendBulletin'] = async () => ({ status: 'sent' });
const sends: Array<{ chatId: string; text?: string }> = [];

// An adapter as unlike the real ones as can be: three parts of its own naming, ids from its own counter.
const fake: Channel = {
  platform: 'telegram',
  accountId: 'telegram',
  limits: { maxTextLength: 100, maxCaptionLength: 100, maxButtonDataBytes: 64, messagesPerSecond: 100, messagesPerMinutePerGroup: 100, maxPhotoBytes: 1, maxFileBytes: 1 },
  capabilities: { longText: 'refuse', photo: 'none', audio: 'none', voice: 'none', file: 'none', replyTo: false, buttons: 'numbered', groups: true, bulletin: 'text' },
  start: async () => {},
  stop: async () => {},
  send: async (chatId, content) => {
    sends.push({ chatId, ...(content.text !== undefined ? { text: content.text } : {}) });
    return { platformMessageId: `m${sends.length}` };
  },
  answerAction: async () => {},
  editButtons: async () => {},
  downloadFile: async () => ({ buffer: Buffer.alloc(0) }),
  health: async () => ({ ok: true, detail: 'giả' }),
  sendBulletin: (target, parts, out) => behaviour(target, parts, out),
};

beforeAll(async () => {
  db = await openMigratedTestDatabase('bulletin_outcome');
  prisma = db.prisma;
  communeId = (await seedDemo(prisma, { password: 'MatKhauKiemThu2026' })).communeId;
  for (const s of await prisma.staff.findMany()) staff[s.username] = s.id;
  directory.register(fake);
  targetId = (await prisma.target.create({ data: { communeId, kind: 'telegram_chat', name: 'Nhóm thử', platformChatId: '-42', status: 'active' } })).id;
});

afterAll(async () => {
  await db?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const deps = () => ({
  prisma,
  channels: directory,
  signer: createMediaLinkSigner(randomBytes(32)),
  publicBaseUrl: 'https://loa.xa.test',
  dataDir,
  render: async () => {
    const m = await storeMedia(prisma, dataDir, Buffer.from('audio mp3'), 'audio/mpeg');
    return { sha256: m.sha256, durationMs: 3000 };
  },
  now: () => new Date(),
});

async function oneDelivery(title: string): Promise<string> {
  const wf = createBulletinWorkflow(prisma);
  const b = await wf.createDraft({ staffId: staff.vanhoa! }, { communeId, title, text: 'Họp dân lúc 19 giờ.' });
  await wf.setAudience({ staffId: staff.vanhoa! }, b.id, { targetIds: [targetId] });
  await wf.submit({ staffId: staff.vanhoa! }, b.id);
  await wf.approve({ staffId: staff.chutich! }, b.id);
  const run = await startRun(prisma, { bulletinId: b.id, scheduledFor: new Date() });
  expect(run.deliveryIds).toHaveLength(1);
  return run.deliveryIds[0]!;
}

const row = (id: string) => prisma.delivery.findUniqueOrThrow({ where: { id }, include: { run: true } });

describe("deliver() records any adapter's outcome without knowing its platform", () => {
  it('a failed outcome (a quota that stops everyone) fails the delivery with its reason, sends nothing, and is not retried', async () => {
    behaviour = async () => ({ status: 'failed', reason: 'hết hạn mức tin truyền thông tháng' });
    const id = await oneDelivery('Hết hạn mức');
    expect(await deliver(deps(), id)).toEqual({ status: 'failed' });
    const d = await row(id);
    expect(d).toMatchObject({ status: 'failed', error: 'hết hạn mức tin truyền thông tháng', sentAt: null, sendingPart: null });
    expect(d.run.status).toBe('partly_failed');
    // Final: a second job changes nothing.
    expect(await deliver(deps(), id)).toEqual({ status: 'already_failed' });
  });

  it("a sent outcome keeps the adapter's own message ids and its note beside the parts it sent", async () => {
    behaviour = async (_t, parts, out) => {
      await out.send('x1', { text: parts.title });
      return { status: 'sent', note: '3/4 người theo dõi; 1 không gửi: người theo dõi đã nhận tin hôm nay', platformMessageIds: ['b1', 'b2', 'b3'] };
    };
    const id = await oneDelivery('Ghi chú');
    expect(await deliver(deps(), id)).toEqual({ status: 'sent' });
    const d = await row(id);
    expect(d).toMatchObject({ status: 'sent', error: '3/4 người theo dõi; 1 không gửi: người theo dõi đã nhận tin hôm nay' });
    expect(d.platformMessageId?.split(' ')).toEqual([expect.stringMatching(/^x1:m\d+$/), 'b1', 'b2', 'b3']);
    expect(d.run.status).toBe('done');
  });

  it('parts of its own naming resume after a failure, each sent once', async () => {
    let failOnce = true;
    behaviour = async (t, _parts, out) => {
      for (const part of ['p1', 'p2', 'p3']) {
        if (out.done(part)) continue;
        if (part === 'p2' && failOnce) {
          failOnce = false;
          throw new ChannelError('network', 'mất kết nối', { unsent: true });
        }
        await out.send(part, { text: `${part} ${t.chatId}` });
      }
      return { status: 'sent' };
    };
    const id = await oneDelivery('Ba phần');
    const before = sends.length;
    await expect(deliver(deps(), id)).rejects.toThrow('mất kết nối');
    expect(await row(id)).toMatchObject({ status: 'pending', sendingPart: null });
    expect(await deliver(deps(), id)).toEqual({ status: 'sent' });
    expect(sends.slice(before).map((s) => s.text)).toEqual(['p1 -42', 'p2 -42', 'p3 -42']);
    expect((await row(id)).platformMessageId?.split(' ').map((p) => p.split(':')[0])).toEqual(['p1', 'p2', 'p3']);
  });

  it('a refusal names the platform by its people name in the broken notice', async () => {
    behaviour = async () => {
      throw new ChannelError('not_found', 'chat not found');
    };
    const id = await oneDelivery('Nhóm mất');
    await expect(deliver(deps(), id)).rejects.toThrow('chat not found');
    expect(await prisma.target.findUniqueOrThrow({ where: { id: targetId } })).toMatchObject({ status: 'broken', statusReason: expect.stringContaining('Telegram: chat not found') });
  });
});

describe('the fan-out has no per-platform branches', () => {
  it('names no platform or target kind outside TARGET_PLATFORM', () => {
    const dir = join(import.meta.dirname, '../../broadcasts/fanout');
    const names = [...new Set([...Object.keys(TARGET_PLATFORM), ...Object.values(TARGET_PLATFORM), 'webchat', 'zalo_bot'])];
    const found: string[] = [];
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts') && n !== 'target-channel.ts')) {
      // Comments may give examples; code may not branch on them.
      const code = readFileSync(join(dir, f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
      for (const n of names) if (new RegExp(`['"\`]${n}['"\`]`).test(code)) found.push(`${f}: '${n}'`);
      if (/\bplatform\s*[!=]==|[!=]==\s*platform\b/.test(code)) found.push(`${f}: compares a platform`);
    }
    expect(found).toEqual([]);
  });
});
