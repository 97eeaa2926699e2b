// What cancelling a bulletin does, one rule for the commune's "Hủy bản tin" and the province's
// "Thu hồi" of its copies: the bulletin is cancelled and nothing not yet sent goes out.
import type { Prisma } from '../db/generated/client.ts';
import { PULL_MARK } from '../../broadcasts/radio/endpoint.ts';
import { markQaRetell } from './qa-retell.ts';

export async function cancelBulletins(tx: Prisma.TransactionClient, bulletinIds: string[], now = new Date()): Promise<void> {
  if (!bulletinIds.length) return;
  await tx.bulletin.updateMany({ where: { id: { in: bulletinIds } }, data: { status: 'cancelled' } });
  // Pending deliveries of their runs are cancelled too (a pull-mode loudspeaker's item not yet pulled is not sent either).
  await tx.delivery.updateMany({ where: { run: { bulletinId: { in: bulletinIds } }, OR: [{ status: 'pending' }, { status: 'sending', platformMessageId: PULL_MARK }] }, data: { status: 'cancelled' } });
  await tx.broadcastRun.updateMany({ where: { bulletinId: { in: bulletinIds }, status: { in: ['due', 'sending'] } }, data: { status: 'cancelled' } });
  // A Q&A bulletin's askers were told a time: they hear it is cancelled.
  for (const id of bulletinIds) await markQaRetell(tx, id, now);
}
