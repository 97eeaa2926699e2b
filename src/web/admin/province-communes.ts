// The communes a province page works on: those the signed-in person reads by their province role
// (src/auth/commune-scope.ts decides), with the time zone the figures need. Commune staff — whose
// scope is their own commune — get none: the province pages are not theirs.
import type { PrismaClient } from '../../db/generated/client.ts';
import { readableIds } from '../../auth/commune-scope.ts';
import type { Signed } from './admin-context.ts';

export async function provinceCommunesOf(prisma: PrismaClient, who: Signed) {
  if (!who.scope.provinceId) return undefined;
  const communes = await prisma.commune.findMany({ where: { id: { in: readableIds(who.scope) } }, orderBy: [{ name: 'asc' }, { code: 'asc' }], select: { id: true, code: true, name: true, timezone: true } });
  return { provinceId: who.scope.provinceId, communes };
}
