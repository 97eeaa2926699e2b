// `loaxa commune add <code> <name> --villages thon.csv [--staff canbo.csv] [--province ma-tinh]`: scripted onboarding of a
// commune. Works while `npm start` runs: against PostgreSQL directly, or — embedded database —
// through the running process's control socket.
import { readFileSync, statSync } from 'node:fs';
import type { Settings } from '../config/settings.ts';
import type { Logger } from '../logger.ts';
import { openRuntime } from '../processes/runtime.ts';
import { OperatorError } from '../processes/operator-error.ts';
import { isAppError } from '../errors.ts';
import { askControlSocket } from '../runtime/control-socket.ts';
import { DataDirLockedError } from '../runtime/data-dir-lock.ts';
import { addCommuneFromRequest, type CommuneAddRequest } from '../communes/commune-add-request.ts';
import { MAX_LIST_BYTES } from '../communes/onboarding-csv.ts';

function readList(path: string, what: string): string {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new OperatorError(`Không đọc được tệp ${what} "${path}"`);
  }
  if (size > MAX_LIST_BYTES) throw new OperatorError(`Tệp ${what} "${path}" quá lớn (${Math.round(size / 1000)} KB, tối đa ${MAX_LIST_BYTES / 1000} KB)`);
  return readFileSync(path, 'utf8');
}

export async function runCommuneAdd(p: { settings: Settings; log: Logger; code: string; name: string; villages: string; staff?: string | undefined; prefix?: string | undefined; province?: string | undefined }): Promise<number> {
  const request: CommuneAddRequest = {
    code: p.code,
    name: p.name,
    villagesText: readList(p.villages, 'danh sách thôn'),
    ...(p.staff ? { staffText: readList(p.staff, 'danh sách cán bộ') } : {}),
    ...(p.prefix ? { ticketCodePrefix: p.prefix } : {}),
    ...(p.province ? { provinceCode: p.province } : {}),
  };
  let text: string;
  try {
    text = await direct(p.settings, p.log, request);
  } catch (e) {
    if (!(e instanceof DataDirLockedError)) throw e;
    const reply = await askControlSocket(p.settings.DATA_DIR, 'commune-add', request as unknown as Record<string, unknown>);
    if (!reply) throw e;
    if (!reply.ok) throw new OperatorError(reply.error);
    text = reply.text;
  }
  process.stdout.write(text);
  return 0;
}

async function direct(settings: Settings, log: Logger, request: CommuneAddRequest): Promise<string> {
  const rt = await openRuntime(settings, log, { redis: false });
  try {
    return await addCommuneFromRequest(rt.db.prisma, request);
  } catch (e) {
    if (isAppError(e)) throw new OperatorError(e.userMessage);
    throw e;
  } finally {
    await rt.close();
  }
}
