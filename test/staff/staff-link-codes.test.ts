// Linking a cadre without a restart: a one-time code made on the web admin or by the CLI, typed
// as "/lienket 123456" in the admin chat or to the bot, over the real telegraf adapter. The code
// works once, expires, and a chat account that keeps guessing is stopped; `loaxa link-staff` works
// while another process holds the embedded database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_CHAT, startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';
import { createLinkCode, LINK_ATTEMPTS_PER_HOUR } from '../../src/staff/staff-link-codes.ts';
import { loadSettings } from '../../src/config/settings.ts';
import { silentLogger } from '../../src/logger.ts';
import { openRuntime } from '../../src/processes/runtime.ts';
import { runLinkStaff } from '../../src/cli/link-staff-command.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';

let h: ListeningHarness;
beforeAll(async () => {
  h = await startListeningHarness();
});
afterAll(async () => {
  await h?.close();
});

const staffId = async (username: string) => (await h.prisma.staff.findUniqueOrThrow({ where: { username } })).id;
const linked = (userId: number) => h.prisma.staffIdentity.findUnique({ where: { platform_platformUserId: { platform: 'telegram', platformUserId: String(userId) } }, include: { staff: true } });
const lastReply = (chat: number) => h.api.sentTo(chat).at(-1)?.text ?? '';

describe('/lienket with a one-time code', () => {
  it('links the cadre who types it in the admin chat, once; the link is audited', async () => {
    const admin = await h.prisma.staff.findUniqueOrThrow({ where: { username: 'quantri' } });
    const { code, expiresAt } = await createLinkCode(h.prisma, { staffId: await staffId('giaothong'), by: { id: admin.id, communeId: admin.communeId! }, now: new Date() });
    expect(code).toMatch(/^\d{6}$/);
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now());
    // Nothing readable in the database gives the code away.
    expect(JSON.stringify(await h.prisma.staffLinkCode.findMany())).not.toContain(code);

    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: 7201, text: `/lienket ${code}` });
    await h.settle();
    expect((await linked(7201))?.staff.username).toBe('giaothong');
    expect(lastReply(ADMIN_CHAT)).toContain('Đã liên kết tài khoản Telegram');
    const audit = await h.prisma.auditLog.findFirstOrThrow({ where: { action: 'staff.link_identity' } });
    expect(audit.data).toMatchObject({ platform: 'telegram', userId: '7201', via: 'code' });
    expect(await h.prisma.auditLog.count({ where: { action: 'staff.link_code_created' } })).toBe(1);

    // The same code a second time, by someone else: refused, nothing linked.
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: 7202, text: `/lienket ${code}` });
    await h.settle();
    expect(await linked(7202)).toBeNull();
    expect(lastReply(ADMIN_CHAT)).toContain('không đúng hoặc đã hết hạn');

  });

  it('works in a private chat with the bot, before any consent, and never becomes a ticket', async () => {
    const { code } = await createLinkCode(h.prisma, { staffId: await staffId('yte'), by: null, now: new Date() });
    h.api.residentSends({ userId: 7203, text: `/lienket ${code.slice(0, 3)} ${code.slice(3)}` });
    await h.settle();
    expect((await linked(7203))?.staff.username).toBe('yte');
    expect(lastReply(7203)).toContain('Đã liên kết');
    expect(await h.prisma.ticket.count()).toBe(0);
  });

  it('an expired code and a replaced code do not work', async () => {
    const id = await staffId('diachinh');
    const old = await createLinkCode(h.prisma, { staffId: id, by: null, now: new Date() });
    const fresh = await createLinkCode(h.prisma, { staffId: id, by: null, now: new Date() });
    h.api.residentSends({ userId: 7204, text: `/lienket ${old.code}` });
    await h.settle();
    expect(await linked(7204)).toBeNull();
    // Made 16 minutes ago (stored timestamps, not a wait): past its 15 minutes.
    await h.prisma.staffLinkCode.updateMany({ where: { staffId: id, usedAt: null }, data: { expiresAt: new Date(Date.now() - 60_000) } });
    h.api.residentSends({ userId: 7204, text: `/lienket ${fresh.code}` });
    await h.settle();
    expect(await linked(7204)).toBeNull();
    expect(lastReply(7204)).toContain('hết hạn');
  });

  it('stops a chat account that keeps guessing, even when it then guesses right', async () => {
    const { code } = await createLinkCode(h.prisma, { staffId: await staffId('vanhoa'), by: null, now: new Date() });
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < LINK_ATTEMPTS_PER_HOUR; i++) h.api.residentSends({ userId: 7205, text: `/lienket ${wrong}` });
    await h.settle();
    h.api.residentSends({ userId: 7205, text: `/lienket ${code}` });
    await h.settle();
    expect(await linked(7205)).toBeNull();
    expect(lastReply(7205)).toContain('sai mã nhiều lần');
    expect(await h.prisma.auditLog.count({ where: { action: 'staff.link_code_refused' } })).toBeGreaterThanOrEqual(LINK_ATTEMPTS_PER_HOUR);
    // Someone else may still use it.
    h.api.residentSends({ userId: 7206, text: `/lienket ${code}` });
    await h.settle();
    expect((await linked(7206))?.staff.username).toBe('vanhoa');
  });

  it('answers "/lienket" without a code with how to use it', async () => {
    h.api.residentSends({ userId: 7207, text: '/lienket' });
    await h.settle();
    expect(lastReply(7207)).toContain('/lienket 123456');
  });
});

describe('loaxa link-staff while the system runs on the embedded database', () => {
  it('links through the running process instead of stopping at the data-folder lock', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'loaxa-link-'));
    const settings = loadSettings({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    // This runtime plays `npm start`: it holds the folder and its PGlite database.
    const running = await openRuntime(settings, silentLogger, { redis: false });
    try {
      await seedDemo(running.db.prisma, { password: 'MatKhauKiemThu2026' });
      const out: string[] = [];
      const write = process.stdout.write.bind(process.stdout);
      process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
      try {
        expect(await runLinkStaff({ settings, log: silentLogger, username: 'yte', platform: 'telegram', userId: '88001' })).toBe(0);
        expect(await runLinkStaff({ settings, log: silentLogger, username: 'yte' })).toBe(0);
        await expect(runLinkStaff({ settings, log: silentLogger, username: 'khongco', platform: 'telegram', userId: '1' })).rejects.toThrow('Không có cán bộ');
      } finally {
        process.stdout.write = write;
      }
      expect(out.join('')).toContain('Đã liên kết telegram 88001');
      expect(out.join('')).toMatch(/Mã liên kết của .*: \d{6}/);
      const identity = await running.db.prisma.staffIdentity.findUniqueOrThrow({ where: { platform_platformUserId: { platform: 'telegram', platformUserId: '88001' } }, include: { staff: true } });
      expect(identity.staff.username).toBe('yte');
      expect(await running.db.prisma.auditLog.count({ where: { action: 'staff.link_identity' } })).toBe(1);
    } finally {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
