// Files attached to residents' messages: fetched from the platform soon after they arrive (the
// platform's copy does not last), checked against the size limit, stored by content hash.
import type { ChannelDirectory } from '../channels/channel-directory.ts';
import { PermanentJobError } from '../queues/job-errors.ts';
import { ChannelError } from '../../bots/channel.ts';
import { storeMedia } from '../media/media-store.ts';
import type { TicketDeps } from './ticket-deps.ts';

export interface StoredAttachment {
  kind: string;
  fileId: string;
  mime: string | null;
  size: number | null;
  platform: string;
  sha256?: string;
  error?: string;
}

export async function fetchAttachment(
  deps: Pick<TicketDeps, 'prisma' | 'policy' | 'log'> & { channels: ChannelDirectory; dataDir: string },
  data: { ticketMessageId: string; index: number },
): Promise<{ sha256?: string; skipped?: string }> {
  const msg = await deps.prisma.ticketMessage.findUnique({ where: { id: data.ticketMessageId }, include: { channelAccount: true } });
  const list = (msg?.attachments ?? []) as unknown as StoredAttachment[];
  const att = list[data.index];
  if (!msg || !att) return { skipped: 'gone' };
  if (att.sha256) return { sha256: att.sha256 };
  const ch = msg.channelAccount ? deps.channels.get(msg.channel, msg.channelAccount.name) : undefined;
  if (!ch) throw new PermanentJobError(`no channel to fetch ${msg.channel} files in this process`);
  let file;
  try {
    file = await ch.downloadFile(att.fileId);
  } catch (e) {
    if (e instanceof ChannelError && e.permanent) {
      await record(deps, msg.id, data.index, { error: e.kind });
      throw new PermanentJobError(`attachment: ${e.message}`);
    }
    throw e;
  }
  if (file.buffer.length > deps.policy.maxPhotoBytes) {
    await record(deps, msg.id, data.index, { error: 'too_large' });
    return { skipped: 'too_large' };
  }
  const stored = await storeMedia(deps.prisma, deps.dataDir, file.buffer, file.mime ?? att.mime ?? 'application/octet-stream');
  await record(deps, msg.id, data.index, { sha256: stored.sha256, size: stored.size });
  return { sha256: stored.sha256 };
}

/** Updates one attachment entry; a row lock keeps two concurrent fetches of one message apart. */
async function record(deps: Pick<TicketDeps, 'prisma'>, messageId: string, index: number, patch: Partial<StoredAttachment>): Promise<void> {
  await deps.prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "TicketMessage" WHERE id = ${messageId}::uuid FOR UPDATE`;
    const row = await tx.ticketMessage.findUniqueOrThrow({ where: { id: messageId } });
    const list = [...((row.attachments ?? []) as unknown as StoredAttachment[])];
    if (!list[index]) return;
    list[index] = { ...list[index], ...patch };
    await tx.ticketMessage.update({ where: { id: messageId }, data: { attachments: list as never } });
  });
}
