// `loaxa link-staff <username> [<platform> <user-id>]`: tells Loa Xã which chat account belongs to
// a staff member, so their actions in the admin chat are accepted; with only the username it makes
// a one-time code the cadre types as "/lienket 123456". Works while `npm start` runs: against
// PostgreSQL directly, or — embedded database — through the running process's control socket.
import type { Settings } from '../config/settings.ts';
import type { Logger } from '../logger.ts';
import { openRuntime } from '../processes/runtime.ts';
import { OperatorError } from '../processes/operator-error.ts';
import { isAppError } from '../errors.ts';
import { askControlSocket } from '../runtime/control-socket.ts';
import { DataDirLockedError } from '../runtime/data-dir-lock.ts';
import { linkStaff, type LinkStaffRequest } from '../staff/link-staff.ts';

export async function runLinkStaff(p: { settings: Settings; log: Logger; username: string; platform?: string | undefined; userId?: string | undefined; unlink?: boolean }): Promise<number> {
  if (p.platform && !p.userId) throw new OperatorError('Thiếu mã tài khoản: loaxa link-staff <tên đăng nhập> <telegram|zalo> <mã>, hoặc chỉ <tên đăng nhập> để tạo mã liên kết');
  const request: LinkStaffRequest = { username: p.username, ...(p.platform ? { platform: p.platform, userId: p.userId! } : {}), ...(p.unlink ? { unlink: true } : {}) };
  let text: string;
  try {
    text = await direct(p.settings, p.log, request);
  } catch (e) {
    if (!(e instanceof DataDirLockedError)) throw e;
    // `npm start` holds the embedded database: it does the change for us.
    const reply = await askControlSocket(p.settings.DATA_DIR, 'link-staff', request as unknown as Record<string, unknown>);
    if (!reply) throw e;
    if (!reply.ok) throw new OperatorError(reply.error);
    text = reply.text;
  }
  process.stdout.write(text);
  return 0;
}

async function direct(settings: Settings, log: Logger, request: LinkStaffRequest): Promise<string> {
  const rt = await openRuntime(settings, log, { redis: false });
  try {
    return await linkStaff(rt.db.prisma, request);
  } catch (e) {
    if (isAppError(e)) throw new OperatorError(e.userMessage);
    throw e;
  } finally {
    await rt.close();
  }
}
