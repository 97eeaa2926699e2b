// `loaxa zalo …`: connect a Zalo account by QR code, list its groups (to choose the admin group and
// bulletin groups), and name the admin group. Credentials are saved only encrypted.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Settings } from '../config/settings.ts';
import type { Logger } from '../logger.ts';
import { openRuntime } from '../processes/runtime.ts';
import { OperatorError } from '../processes/operator-error.ts';
import { loginWithCredentials, loginWithQr } from '../../bots/zalo/zca-login.ts';
import type { ZaloCredentials } from '../../bots/zalo/zalo-api.ts';
import { openZaloCredentials, requireZaloKey, saveZaloCredentials } from '../channels/zalo-accounts.ts';

const NAME_RE = /^[a-z0-9][a-z0-9_-]{0,39}$/;

function checkName(name: string): void {
  if (!NAME_RE.test(name)) throw new OperatorError(`Tên tài khoản "${name}" không hợp lệ: dùng chữ thường không dấu, số, - hoặc _ (ví dụ zalo-xa)`);
}

export async function runZaloLogin(p: { settings: Settings; log: Logger; account: string; commune?: string | undefined }): Promise<number> {
  checkName(p.account);
  const key = requireZaloKey(p.settings.ENCRYPTION_KEY);
  const rt = await openRuntime(p.settings, p.log, { redis: false });
  try {
    // Before the QR: a wrong commune code should not cost a scan. Without one, the account serves
    // the only commune; among several it serves none until attached (communeOfAccount).
    const named = p.commune ? await rt.db.prisma.commune.findUnique({ where: { code: p.commune }, select: { id: true } }) : undefined;
    if (p.commune && !named) throw new OperatorError(`Không có xã mã "${p.commune}": xem mã xã bằng "loaxa doctor" hoặc trang Toàn tỉnh`);
    const communes = named ? [named] : await rt.db.prisma.commune.findMany({ select: { id: true }, take: 2 });
    const communeId = communes.length === 1 ? communes[0]!.id : null;
    const qrPath = join(p.settings.DATA_DIR, `zalo-qr-${p.account}.png`);
    const { api, credentials } = await loginWithQr({
      qr: (png) => {
        void writeFile(qrPath, png, 'base64').then(() => process.stdout.write(`Mở ảnh ${qrPath} và quét bằng ứng dụng Zalo (Cài đặt → Quét mã QR). Mã tự làm mới khi hết hạn.\n`));
      },
      scanned: (name) => process.stdout.write(`Đã quét bởi ${name}; xác nhận đăng nhập trên điện thoại.\n`),
    });
    await saveZaloCredentials(rt.db.prisma, key, p.account, credentials, communeId);
    process.stdout.write(`Đã đăng nhập Zalo (${api.getOwnId()}) và lưu (đã mã hóa) vào tài khoản "${p.account}". Khởi động lại "loaxa bots" hoặc "npm start".\n`);
    const row = await rt.db.prisma.channelAccount.findUniqueOrThrow({ where: { platform_name: { platform: 'zalo', name: p.account } }, select: { communeId: true } });
    if (!row.communeId) process.stdout.write(`Tài khoản chưa gắn với xã nào mà cài đặt có nhiều xã: tin nhắn tới nó bị bỏ qua. Đăng nhập lại với --commune <mã xã>.\n`);
    return 0;
  } finally {
    await rt.close();
  }
}

export async function runZaloGroups(p: { settings: Settings; log: Logger; account: string }): Promise<number> {
  checkName(p.account);
  const rt = await openRuntime(p.settings, p.log, { redis: false });
  try {
    const row = await rt.db.prisma.channelAccount.findUnique({ where: { platform_name: { platform: 'zalo', name: p.account } } });
    if (!row) throw new OperatorError(`Chưa có tài khoản Zalo "${p.account}": chạy "loaxa zalo login --account ${p.account}"`);
    const api = await loginWithCredentials(openZaloCredentials<ZaloCredentials>(p.settings.ENCRYPTION_KEY, row));
    const ids = Object.keys((await api.getAllGroups()).gridVerMap);
    for (let i = 0; i < ids.length; i += 50) {
      const info = await api.getGroupInfo(ids.slice(i, i + 50));
      for (const [id, g] of Object.entries(info.gridInfoMap)) process.stdout.write(`g:${id}\t${g.totalMember} thành viên\t${g.name}\n`);
    }
    if (ids.length === 0) process.stdout.write('Tài khoản này chưa ở trong nhóm nào.\n');
    return 0;
  } finally {
    await rt.close();
  }
}

export async function runZaloAdminGroup(p: { settings: Settings; log: Logger; account: string; chatId: string }): Promise<number> {
  checkName(p.account);
  if (!/^g:\d{1,25}$/.test(p.chatId)) throw new OperatorError(`Mã nhóm "${p.chatId}" không hợp lệ: dùng mã dạng g:123… từ "loaxa zalo groups"`);
  const rt = await openRuntime(p.settings, p.log, { redis: false });
  try {
    const row = await rt.db.prisma.channelAccount.findUnique({ where: { platform_name: { platform: 'zalo', name: p.account } } });
    if (!row) throw new OperatorError(`Chưa có tài khoản Zalo "${p.account}"`);
    const settings = { ...((row.settings as Record<string, unknown> | null) ?? {}), adminChatId: p.chatId };
    await rt.db.prisma.channelAccount.update({ where: { id: row.id }, data: { settings } });
    await rt.db.prisma.auditLog.create({ data: { communeId: row.communeId, actorKind: 'system', action: 'channel_account.admin_chat', entityType: 'ChannelAccount', entityId: row.id, data: { chatId: p.chatId } } });
    process.stdout.write(`Nhóm ${p.chatId} là nhóm quản trị của tài khoản Zalo "${p.account}": phiếu phản ánh mới sẽ được đăng vào đó.\n`);
    return 0;
  } finally {
    await rt.close();
  }
}
