// `loaxa channels add|list|remove|admin-chat`: a commune's Telegram bot or Zalo Bot, for scripted onboarding.
// The running bots role picks the change up by itself; nothing needs a restart.
import type { Settings } from '../config/settings.ts';
import type { Logger } from '../logger.ts';
import { openRuntime, type Runtime } from '../processes/runtime.ts';
import { OperatorError } from '../processes/operator-error.ts';
import { botTokenChecker } from '../processes/bot-token-checker.ts';
import { addChannelAccount, BotAccountError, listChannelAccounts, removeChannelAccount, setBotAdminChat, type BotPlatform } from '../channels/bot-accounts.ts';

interface Common {
  settings: Settings;
  log: Logger;
}

async function withRuntime<T>(p: Common, fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const rt = await openRuntime(p.settings, p.log, { redis: false });
  try {
    return await fn(rt);
  } catch (e) {
    // The domain's sentence is already one the operator can act on.
    if (e instanceof BotAccountError) throw new OperatorError(e.message);
    throw e;
  } finally {
    await rt.close();
  }
}

async function communeBySlug(rt: Runtime, slug: string): Promise<{ id: string; name: string }> {
  const c = await rt.db.prisma.commune.findUnique({ where: { code: slug }, select: { id: true, name: true } });
  if (!c) throw new OperatorError(`Không có xã mã "${slug}": xem danh sách bằng "loaxa channels list" hoặc tạo xã bằng "loaxa commune add"`);
  return c;
}

export function parseBotPlatform(s: string): BotPlatform {
  if (s === 'telegram' || s === 'zalo-bot') return s;
  throw new OperatorError(`Nền tảng "${s}" không hỗ trợ: dùng telegram hoặc zalo-bot`);
}

export async function runChannelsAdd(p: Common & { platform: string; commune: string; token: string; adminChat?: string | undefined }): Promise<number> {
  const platform = parseBotPlatform(p.platform);
  return withRuntime(p, async (rt) => {
    const commune = await communeBySlug(rt, p.commune);
    const a = await addChannelAccount({ prisma: rt.db.prisma, key: p.settings.ENCRYPTION_KEY, checkToken: botTokenChecker(p.settings) }, { communeId: commune.id, platform, token: p.token, adminChatId: p.adminChat });
    process.stdout.write(`Đã thêm bot @${a.username} (${a.name}, mã ${a.id}) cho ${commune.name}.${a.adminChatId ? ` Nhóm quản trị: ${a.adminChatId}.` : platform === 'telegram' ? ` Chưa có nhóm quản trị: loaxa channels admin-chat ${a.id} --chat <mã nhóm>.` : ''}\n`);
    return 0;
  });
}

export async function runChannelsList(p: Common & { commune?: string | undefined }): Promise<number> {
  return withRuntime(p, async (rt) => {
    const commune = p.commune ? await communeBySlug(rt, p.commune) : undefined;
    const communes = new Map((await rt.db.prisma.commune.findMany({ select: { id: true, code: true } })).map((c) => [c.id, c.code]));
    const bots = await listChannelAccounts(rt.db.prisma, commune ? { communeId: commune.id } : {});
    for (const b of bots) process.stdout.write(`${b.id}\t${communes.get(b.communeId) ?? '-'}\t${b.platform}\t@${b.username}\t${b.adminChatId ?? '(chưa có nhóm quản trị)'}\n`);
    if (bots.length === 0) process.stdout.write('Chưa có bot nào.\n');
    return 0;
  });
}

export async function runChannelsRemove(p: Common & { accountId: string }): Promise<number> {
  return withRuntime(p, async (rt) => {
    const a = await removeChannelAccount(rt.db.prisma, { accountId: p.accountId });
    process.stdout.write(`Đã gỡ bot @${a.username} (${a.name}); mã bot đã được xóa khỏi cơ sở dữ liệu.\n`);
    return 0;
  });
}

export async function runChannelsAdminChat(p: Common & { accountId: string; chat?: string | undefined; clear: boolean }): Promise<number> {
  if ((p.chat === undefined) === !p.clear) throw new OperatorError('Cho biết --chat <mã nhóm> để gắn nhóm quản trị, hoặc --clear để bỏ (một trong hai)');
  return withRuntime(p, async (rt) => {
    const a = await setBotAdminChat(rt.db.prisma, { accountId: p.accountId, adminChatId: p.clear ? '' : p.chat! });
    process.stdout.write(a.adminChatId ? `Bot @${a.username}: nhóm quản trị là ${a.adminChatId}.\n` : `Bot @${a.username}: đã bỏ nhóm quản trị; phản ánh sẽ không được đăng cho cán bộ đến khi gắn nhóm mới.\n`);
    return 0;
  });
}
