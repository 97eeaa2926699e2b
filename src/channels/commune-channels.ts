// Every commune's messaging channels as an operator needs to see them (`loaxa doctor`): each bot or
// account with the state the processes last left in its row, whether its sealed secret opens with
// this ENCRYPTION_KEY, its admin chat, and per commune what is still missing, each with the way to
// fix it. Read from PostgreSQL only; no secret is ever part of the answer (a stored reason is
// printed with anything shaped like a token blanked out).
import type { ChannelAccountStatus, PrismaClient } from '../db/generated/client.ts';
import { isRemovedAccount } from './removed-account.ts';
import { adminChatText } from './bot-accounts.ts';
import { decryptSecret } from '../crypto/secret-box.ts';

export type ChannelMark = 'ok' | 'warn' | 'fail';

export interface ChannelLine {
  id: string;
  /** "Telegram @xa_bot", "Zalo OA oa-xa" */
  label: string;
  mark: ChannelMark;
  text: string;
}

export interface CommuneChannels {
  /** null: the accounts attached to no commune. */
  code: string | null;
  name: string;
  channels: ChannelLine[];
  /** What the commune still lacks, each with where it is fixed. */
  missing: string[];
}

/** Where the installation's own bots come from (their token is a setting, not a row). */
export interface InstallationBots {
  telegramToken: boolean;
  zaloBotToken: boolean;
}

type Resident = 'telegram' | 'zalo' | 'zalo_bot' | 'zalo_oa';
const PLATFORM_LABEL: Record<Resident, string> = { telegram: 'Telegram', zalo_bot: 'Zalo Bot', zalo_oa: 'Zalo OA', zalo: 'Zalo (tài khoản cá nhân)' };

// A bot token ("123456:ABC…"), an access token or anything long and opaque: never printed.
const SECRET_LIKE = /\d{3,}:[A-Za-z0-9_-]{10,}|[A-Za-z0-9_-]{32,}/g;
const clean = (reason: string) => reason.replace(SECRET_LIKE, '…').replace(/\s+/g, ' ').trim().slice(0, 160);

interface Row {
  id: string;
  communeId: string | null;
  platform: Resident;
  name: string;
  status: ChannelAccountStatus;
  statusReason: string | null;
  credentialsEnc: string | null;
  settings: unknown;
}

/** What a row's status means for its platform, and what to do about it. */
function stateOf(r: Row, communeCode: string): { mark: ChannelMark; text: string } {
  const bot = r.platform === 'telegram' || r.platform === 'zalo_bot';
  const cli = r.platform === 'telegram' ? 'telegram' : 'zalo-bot';
  switch (r.status) {
    case 'connected':
      return { mark: 'ok', text: 'đang kết nối' };
    case 'reconnecting':
      return { mark: 'warn', text: 'đang kết nối lại' };
    case 'logged_out':
      if (bot) return { mark: 'fail', text: `nền tảng từ chối mã bot (401), bot đã dừng: loaxa channels remove ${r.id}, rồi loaxa channels add ${cli} --commune ${communeCode} --token <mã mới>` };
      if (r.platform === 'zalo_oa') return { mark: 'fail', text: 'Zalo không nhận mã làm mới nữa: quản trị viên xã bấm Kết nối Zalo OA ở trang Cụm loa & nhóm' };
      return { mark: 'fail', text: `đã đăng xuất: đăng nhập lại bằng mã QR (loaxa zalo login --account ${r.name})` };
    case 'kicked':
      return { mark: 'fail', text: `bị Zalo đăng xuất (tài khoản đăng nhập ở nơi khác): loaxa zalo login --account ${r.name}` };
    case 'suspected_ban':
      return { mark: 'fail', text: 'nghi bị Zalo khóa: kiểm tra tài khoản trên điện thoại trước khi đăng nhập lại' };
    case 'error':
      return { mark: 'fail', text: 'lỗi' };
    case 'inactive':
      if (r.platform === 'zalo_oa' && !r.credentialsEnc) return { mark: 'warn', text: 'chưa kết nối xong: quản trị viên xã bấm Kết nối Zalo OA ở trang Cụm loa & nhóm và đồng ý trên Zalo' };
      return { mark: 'warn', text: 'chưa bật' };
  }
}

/** Whether the row's sealed secret opens with this key (it is never shown). */
function secretProblem(r: Row, key: Buffer | undefined, own: InstallationBots): string | undefined {
  if (!r.credentialsEnc) {
    // The installation's own bot: its token is the setting, not in the row.
    if (r.platform === 'telegram') return own.telegramToken ? undefined : 'không có mã bot trong cơ sở dữ liệu và TELEGRAM_BOT_TOKEN chưa đặt: bot này không chạy';
    if (r.platform === 'zalo_bot') return own.zaloBotToken ? undefined : 'không có mã bot trong cơ sở dữ liệu và ZALO_BOT_TOKEN chưa đặt: bot này không chạy';
    return undefined;
  }
  if (!key) return 'cần ENCRYPTION_KEY để mở mã đã lưu: đặt đúng khóa đã dùng khi thêm';
  try {
    decryptSecret(key, r.credentialsEnc);
    return undefined;
  } catch {
    return 'mã đã lưu không mở được bằng ENCRYPTION_KEY này (khóa đã đổi?): đặt lại đúng khóa, hoặc thêm lại kênh';
  }
}

function labelOf(r: Row): string {
  const s = (r.settings ?? {}) as { username?: unknown };
  const username = typeof s.username === 'string' && s.username ? s.username : undefined;
  if (r.platform === 'telegram') return `${PLATFORM_LABEL.telegram} ${username ? `@${username}` : r.name}`;
  return `${PLATFORM_LABEL[r.platform]} ${username ?? r.name}`;
}

const adminChatOf = (r: Row): string | undefined => adminChatText(r.settings);

// A removed bot keeps its row (tickets point at it) without its token: not a channel any more.
// (An OA row is created 'inactive' before its first connection: not removed.)
const removed = (r: Row) => isRemovedAccount(r) && r.platform !== 'zalo_oa';

/** Every commune (name order) with its channels and what it lacks; then accounts of no commune. */
export async function communeChannelReport(prisma: PrismaClient, key: Buffer | undefined, own: InstallationBots): Promise<CommuneChannels[]> {
  const [communes, rows] = await Promise.all([
    prisma.commune.findMany({ orderBy: [{ name: 'asc' }, { code: 'asc' }], select: { id: true, code: true, name: true } }),
    prisma.channelAccount.findMany({
      where: { platform: { in: ['telegram', 'zalo', 'zalo_bot', 'zalo_oa'] } },
      orderBy: [{ platform: 'asc' }, { createdAt: 'asc' }],
      select: { id: true, communeId: true, platform: true, name: true, status: true, statusReason: true, credentialsEnc: true, settings: true },
    }),
  ]);
  const live = (rows as Row[]).filter((r) => !removed(r));

  function linesOf(of: Row[], communeCode: string): ChannelLine[] {
    return of.map((r) => {
      const state = stateOf(r, communeCode);
      const secret = secretProblem(r, key, own);
      const reason = r.statusReason && state.mark !== 'ok' ? ` (${clean(r.statusReason)})` : '';
      const chat = adminChatOf(r);
      // A secret that does not open stops the channel whatever its row says.
      const parts = [secret ?? `${state.text}${reason}`, ...(chat ? [`nhóm quản trị ${chat}`] : [])];
      return { id: r.id, label: labelOf(r), mark: secret ? 'fail' : state.mark, text: parts.join(' · ') };
    });
  }

  const report: CommuneChannels[] = communes.map((c) => {
    const mine = live.filter((r) => r.communeId === c.id);
    const channels = linesOf(mine, c.code);
    const missing: string[] = [];
    const working = channels.filter((l) => l.mark !== 'fail');
    if (mine.length === 0) missing.push(`chưa có kênh nào để người dân nhắn tin: loaxa channels add telegram --commune ${c.code} --token <mã bot> --admin-chat <mã nhóm>, hoặc trang Cụm loa & nhóm của xã`);
    else if (working.length === 0) missing.push('không kênh nào đang chạy: người dân nhắn tin không tới xã (sửa theo từng dòng trên)');
    if (mine.length > 0 && !mine.some((r) => adminChatOf(r))) {
      // Name the bot when the commune has a stored Telegram one: the operator can paste the command.
      const bot = mine.find((r) => r.platform === 'telegram' && r.credentialsEnc !== null);
      missing.push(`chưa có nhóm quản trị: phản ánh không được đăng cho cán bộ; gắn nhóm ở trang Cụm loa & nhóm, hoặc loaxa channels admin-chat ${bot?.id ?? '<mã bot>'} --chat <mã nhóm>`);
    } else if (mine.length > 0 && !mine.some((r) => adminChatOf(r) && channels.find((l) => l.id === r.id)?.mark !== 'fail')) {
      missing.push('nhóm quản trị chỉ gắn với kênh đang hỏng: phản ánh không được đăng cho cán bộ cho tới khi kênh đó chạy lại');
    }
    return { code: c.code, name: c.name, channels, missing };
  });

  const stray = live.filter((r) => r.communeId === null);
  if (stray.length) {
    // Intake gives such an account's messages to the only commune, and to none among several
    // (communeOfAccount).
    const goesTo = communes.length === 1 ? communes[0] : undefined;
    const where = goesTo ? `tin nhắn tới các kênh này vào ${goesTo.name}` : `tin nhắn tới các kênh này bị bỏ qua (cài đặt có ${communes.length} xã, không biết kênh thuộc xã nào)`;
    report.push({
      code: null,
      name: 'Chưa gắn với xã nào',
      channels: linesOf(stray, '<mã xã>'),
      missing: [`${where}: gắn từng kênh với xã của nó (COMMUNE_CODE cho bot của cài đặt, loaxa zalo login --commune <mã xã>, hoặc --commune khi thêm)`],
    });
  }
  return report;
}
