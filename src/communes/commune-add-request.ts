// What `loaxa commune add` does, against whichever process holds the database: onboard the commune
// from the lists' text (the CLI reads the files, so the running process needs no access to them)
// and return what to print — the first passwords once, then what is still missing.
import type { PrismaClient } from '../db/generated/client.ts';
import { AppError } from '../errors.ts';
import { onboardCommune, onboardingChecklist } from './onboard-commune.ts';

export interface CommuneAddRequest {
  code: string;
  name: string;
  ticketCodePrefix?: string;
  villagesText: string;
  staffText?: string;
  /** Code of the province the commune joins (`--province`). */
  provinceCode?: string;
}

export async function addCommuneFromRequest(prisma: PrismaClient, r: CommuneAddRequest): Promise<string> {
  let provinceId: string | null = null;
  if (r.provinceCode !== undefined) {
    const province = await prisma.province.findUnique({ where: { code: r.provinceCode.trim() } });
    if (!province) throw new AppError('VALIDATION', `Không có tỉnh mã "${r.provinceCode.trim()}".`, { field: 'province' });
    provinceId = province.id;
  }
  const { provinceCode: _code, ...request } = r;
  const done = await onboardCommune(prisma, { ...request, provinceId, actorStaffId: null });
  const lines = [`Đã tạo xã ${r.name} (${r.code.trim().toLowerCase()}): ${done.villages} thôn, ${done.staff.length} cán bộ, ${done.categories} lĩnh vực.`];
  if (done.staff.length) {
    lines.push('Mật khẩu đầu tiên (chỉ hiện một lần, đổi khi đăng nhập lần đầu):');
    for (const s of done.staff) lines.push(`  ${s.username}\t${s.password}`);
  }
  const missing = (await onboardingChecklist(prisma, done.communeId)).filter((i) => !i.done);
  if (missing.length) lines.push(`Còn thiếu: ${missing.map((i) => `${i.label} (${i.detail})`).join('; ')}.`);
  return `${lines.join('\n')}\n`;
}
