// One delivery: a bulletin version to one chat target or one loudspeaker cluster. A delivery
// marked sent is never sent again (retries, restarts, a second job). How a bulletin goes out on a
// platform is its adapter's (sendBulletin); here each part it sends is recorded, so a retry
// resumes where it stopped, and failed-send.ts says what a failure does to the job.
import { join } from 'node:path';
import type { Endpoint as EndpointRow, PrismaClient } from '../../src/db/generated/client.ts';
import type { ChannelDirectory } from '../../src/channels/channel-directory.ts';
import type { Channel, OutboundContent, Platform, SendResult } from '../../bots/channel.ts';
import { HandBackJob, PermanentJobError, RetryJobLater } from '../../src/queues/job-errors.ts';
import type { BulletinAudioFormat, BulletinParts, BulletinSender } from '../../bots/bulletin-delivery.ts';
import { channelForTarget } from './target-channel.ts';
import { markSubscriberUnreachable, stillSubscribed, subscriberChat, SubscriptionStopped } from './subscriber-delivery.ts';
import { classifySendFailure, handsToAnotherAccount, nextAccountMayTry } from './failed-send.ts';
import type { MediaLinkSigner } from '../../src/media/signed-url.ts';
import { markBroken } from '../../src/bulletins/broken-target-notice.ts';
import type { Enqueue } from '../../src/tickets/ticket-deps.ts';
import { PULL_MARK, type AudioClass } from '../radio/endpoint.ts';
import { endpointFor } from '../radio/endpoint-for.ts';
import type { DeliverJobData } from './start-run.ts';
// A cycle on purpose: a play job's other deliveries go through deliver(), both called at run time.
import { playLoudspeakers } from './play-loudspeakers.ts';
import type { AudioVariant, RenderedVersion } from '../render/render-bulletin.ts';

export interface DeliverDeps {
  prisma: PrismaClient;
  channels: ChannelDirectory;
  signer: MediaLinkSigner;
  /** Where loudspeakers fetch audio from (PUBLIC_BASE_URL or the local web address). */
  publicBaseUrl: string;
  dataDir: string;
  encryptionKey?: Buffer | undefined;
  /** Derives the simulated endpoints' secrets (endpoint-secret.ts). */
  demoKey?: Buffer | undefined;
  /** The version's audio; with a variant, that encoding of it (voice notes, a loudspeaker's bitrate). */
  render(versionId: string, variant?: AudioVariant): Promise<RenderedVersion>;
  now(): Date;
  /** To tell staff in the admin chat when a target breaks; without it, only the audit log knows. */
  enqueue?: Enqueue;
}

export const FINAL = ['sent', 'failed', 'cancelled', 'skipped'];

/** Parts sent so far, inside platformMessageId: "t:<text id>", then "t:<text id> a:<audio id>", or "ta:<id>". */
function progress(s: string | null): Map<string, string> {
  return new Map([...(s ?? '').matchAll(/(\w+):(\S+)/g)].map((m) => [m[1]!, m[2]!]));
}

function marker(parts: Map<string, string>): string {
  return [...parts].map(([k, v]) => `${k}:${v}`).join(' ');
}

/** Whether people's phones can reach this address (not loopback or a private network). */
export function reachableFromInternet(baseUrl: string): boolean {
  const host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, '');
  return !/^(localhost|127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.|::1$|fc|fd|0\.0\.0\.0)/i.test(host) && !host.endsWith('.local');
}

/**
 * Sends through the target's account; when that account reached its own cap (Zalo), another
 * connected account of the commune that is in the same group sends instead.
 */
async function sendWithFallback(deps: DeliverDeps, primary: Channel, communeId: string, chatId: string, content: OutboundContent): Promise<SendResult> {
  try {
    return await primary.send(chatId, content);
  } catch (e) {
    if (!handsToAnotherAccount(e)) throw e;
    const others = await deps.prisma.channelAccount.findMany({ where: { communeId, platform: primary.platform, status: 'connected', name: { not: primary.accountId } }, orderBy: { createdAt: 'asc' } });
    for (const o of others) {
      const ch = deps.channels.get(primary.platform, o.name);
      if (!ch) continue;
      try {
        return await ch.send(chatId, content);
      } catch (e2) {
        if (nextAccountMayTry(e2)) continue;
        throw e2;
      }
    }
    throw e;
  }
}

/**
 * The record of a send the platform accepted is worth a few quick tries: if it is lost (a
 * connection ended by a database failover), the next attempt can only send the message again.
 */
async function afterSend<T>(write: () => Promise<T>, tries = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await write();
    } catch (e) {
      if (i >= tries) throw e;
      await new Promise((r) => setTimeout(r, 200 * i));
    }
  }
}

// Where a rendered file lies, by its hash: a file under a hash never changes, so a fan-out asks once.
const mediaPaths = new Map<string, string>();

async function mediaPath(prisma: PrismaClient, sha256: string): Promise<string> {
  let path = mediaPaths.get(sha256);
  if (!path) {
    path = (await prisma.mediaFile.findUniqueOrThrow({ where: { sha256 } })).path;
    if (mediaPaths.size >= 200) mediaPaths.delete(mediaPaths.keys().next().value!);
    mediaPaths.set(sha256, path);
  }
  return path;
}

const runChecks = new Map<string, { again: boolean; settled: Promise<void> }>();

/**
 * finishRunIfDone for a delivery that just ended. Many deliveries of one run end at once: a check
 * already running for the run is asked to look once more after it (which sees this delivery's
 * write) instead of each counting the run's rows side by side.
 */
export function finishRunAfterDelivery(prisma: PrismaClient, runId: string, now: () => Date): Promise<void> {
  const running = runChecks.get(runId);
  if (running) {
    running.again = true;
    return running.settled;
  }
  const check = { again: false, settled: Promise.resolve() };
  check.settled = (async () => {
    try {
      do {
        check.again = false;
        await finishRunIfDone(prisma, runId, now());
      } while (check.again);
    } finally {
      runChecks.delete(runId);
    }
  })();
  runChecks.set(runId, check);
  return check.settled;
}

/** The play command of one loudspeaker delivery: the cluster's own bitrate, over a signed link. */
export async function playOnLoudspeaker(
  deps: DeliverDeps,
  d: { id: string; bulletinVersionId: string; endpoint: EndpointRow },
  bulletin: { class: AudioClass; title: string },
): Promise<void> {
  const endpoint = endpointFor(d.endpoint, deps);
  // The cluster's own bitrate (weak links, small memories), made from the same render.
  const clip = await deps.render(d.bulletinVersionId, { format: 'mp3', bitrateKbps: d.endpoint.bitrateKbps });
  await endpoint.play({
    itemId: d.id,
    url: `${deps.publicBaseUrl.replace(/\/$/, '')}${deps.signer.link(clip.sha256, 'mp3')}`,
    sha256: clip.sha256,
    durationMs: clip.durationMs,
    class: bulletin.class,
    title: bulletin.title,
    ...(d.endpoint.volume != null ? { volume: d.endpoint.volume } : {}),
  });
}

export async function finishRunIfDone(prisma: PrismaClient, runId: string, now: Date): Promise<void> {
  const open = await prisma.delivery.count({ where: { runId, status: { in: ['pending', 'sending'] } } });
  if (open > 0) return;
  const failed = await prisma.delivery.count({ where: { runId, status: 'failed' } });
  const run = await prisma.broadcastRun.updateManyAndReturn({ where: { id: runId, status: 'sending' }, data: { status: failed ? 'partly_failed' : 'done', finishedAt: now } });
  const r = run[0];
  if (!r) return;
  // One-off bulletins end with their run; recurring ones stay scheduled.
  const recurring = await prisma.schedule.count({ where: { bulletinId: r.bulletinId, kind: 'recurring', active: true } });
  await prisma.bulletin.updateMany({ where: { id: r.bulletinId, status: 'sending' }, data: { status: recurring ? 'scheduled' : failed ? 'partly_failed' : 'done' } });
}

export async function deliver(deps: DeliverDeps, deliveryId: string, signal?: AbortSignal): Promise<{ status: string }> {
  const { prisma } = deps;
  const d = await prisma.delivery.findUnique({ where: { id: deliveryId }, include: { run: { include: { bulletin: true } }, bulletinVersion: true, target: { include: { channelAccount: true } }, endpoint: true, residentIdentity: { include: { channelAccount: true } } } });
  if (!d) return { status: 'gone' };
  if (FINAL.includes(d.status)) return { status: `already_${d.status}` };
  // A subscriber who stopped (or was erased) before their turn: their subscription is gone.
  if (d.run.bulletin.status === 'cancelled' || (d.residentIdentityId && !d.subscriptionId)) {
    await prisma.delivery.update({ where: { id: d.id }, data: { status: 'cancelled' } });
    if (d.residentIdentityId) await finishRunAfterDelivery(prisma, d.runId, deps.now);
    return { status: 'cancelled' };
  }
  // A send that began and never recorded its result (the process died, its job was handed back or
  // lost): the group may have it. It is sent once more, and the report says it may be doubled.
  const uncertain = Boolean((d.target || d.residentIdentity) && d.sendingPart);
  await prisma.delivery.update({ where: { id: d.id }, data: { status: 'sending', attempts: { increment: 1 }, lastAttemptAt: deps.now(), ...(uncertain ? { possibleDuplicate: true } : {}) } });
  const bulletin = d.run.bulletin;

  const fail = async (why: string, brokenReason?: string) => {
    await prisma.delivery.update({ where: { id: d.id }, data: { status: 'failed', error: why.slice(0, 500) } });
    if (brokenReason && d.residentIdentityId) await markSubscriberUnreachable(prisma, d.residentIdentityId, deps.now());
    else if (brokenReason) await markBroken(prisma, deps.enqueue, d.targetId ? { kind: 'target', id: d.targetId, reason: brokenReason } : { kind: 'endpoint', id: d.endpointId!, reason: brokenReason });
    await finishRunAfterDelivery(prisma, d.runId, deps.now);
  };

  // Whose words a platform's refusal is, for the target's broken notice.
  let platform: Platform | undefined;
  try {
    // Rendered once per version whatever the target, so a failure to make audio shows on the first try.
    await deps.render(d.bulletinVersionId);
    if (d.target || d.residentIdentity) {
      const sub = d.residentIdentity ? subscriberChat(deps.channels, d.id, d.residentIdentity) : undefined;
      const ch = sub?.ch ?? channelForTarget(deps.channels, d.target!);
      platform = ch.platform;
      const chatId = sub?.chatId ?? d.target!.platformChatId ?? '';
      const parts = progress(d.platformMessageId);
      const bulletinParts: BulletinParts = {
        title: bulletin.title,
        text: d.bulletinVersion.text ?? '',
        audioFile: async (format: BulletinAudioFormat) => {
          const voice = await deps.render(d.bulletinVersionId, { format });
          return { path: join(deps.dataDir, await mediaPath(prisma, voice.sha256)) };
        },
        audioLink: async (format: BulletinAudioFormat) => {
          if (!reachableFromInternet(deps.publicBaseUrl)) return null;
          // Residents' phones fetch it whenever they tap play, days later too: a long-lived link.
          const voice = await deps.render(d.bulletinVersionId, { format });
          return { url: `${deps.publicBaseUrl.replace(/\/$/, '')}${deps.signer.link(voice.sha256, format, 90 * 86_400)}` };
        },
      };
      // The attempt is recorded before the platform call and its message id right after, so an
      // unknown outcome is the only thing left between them (Telegram has no idempotency key).
      const out: BulletinSender = {
        done: (part) => parts.has(part),
        checkpoint: () => {
          if (signal?.aborted) throw new HandBackJob();
        },
        send: async (part, content) => {
          const had = parts.get(part);
          if (had) return { platformMessageId: had };
          // The worker is stopping: no new send, so none is left without its record at exit.
          if (signal?.aborted) throw new HandBackJob();
          // Every part, not only the first: a "dừng" between the words and the voice stops the voice.
          if (sub && !(await stillSubscribed(prisma, d.id))) throw new SubscriptionStopped();
          await prisma.delivery.update({ where: { id: d.id }, data: { sendingPart: part } });
          const sent = await sendWithFallback(deps, ch, bulletin.communeId, chatId, content);
          parts.set(part, sent.platformMessageId);
          await afterSend(() => prisma.delivery.update({ where: { id: d.id }, data: { platformMessageId: marker(parts), sendingPart: null } }));
          return sent;
        },
      };
      const target = sub?.target ?? { deliveryId: d.id, kind: d.target!.kind, chatId: d.target!.platformChatId, villageId: d.target!.villageId, channelAccountId: d.target!.channelAccountId };
      const outcome = await ch.sendBulletin(target, bulletinParts, out);
      // Messages the adapter sent on its own (one broadcast per follower) are kept beside the parts.
      const ids = [marker(parts), ...(outcome.status === 'sent' ? (outcome.platformMessageIds ?? []).slice(0, 20) : [])].filter(Boolean).join(' ') || null;
      if (outcome.status === 'failed' || outcome.status === 'skipped') {
        await afterSend(() => prisma.delivery.update({ where: { id: d.id }, data: { status: outcome.status, platformMessageId: ids, sendingPart: null, error: outcome.reason.slice(0, 500) } }));
        await finishRunAfterDelivery(prisma, d.runId, deps.now);
        return { status: outcome.status };
      }
      const sentAt = deps.now();
      const note = outcome.note?.slice(0, 500) ?? null;
      // The target's last delivery is written with it: one round trip instead of two per group.
      await afterSend(() => prisma.$executeRaw`WITH d AS (
          UPDATE "Delivery" SET status = 'sent', "platformMessageId" = ${ids}, "sendingPart" = NULL, "sentAt" = ${sentAt}, error = ${note}, "updatedAt" = now()
          WHERE id = ${d.id}::uuid RETURNING "targetId")
        UPDATE "Target" t SET "lastDeliveryAt" = ${sentAt}, "updatedAt" = now() FROM d WHERE t.id = d."targetId"`);
    } else if (d.endpoint?.pullMode) {
      // This cluster cannot take commands: the audio is ready, and it waits in the cluster's queue
      // (GET /radio/queue/<id>) until the cluster pulls it; the pull marks it sent.
      await prisma.delivery.update({ where: { id: d.id }, data: { status: 'sending', platformMessageId: PULL_MARK, error: null } });
      return { status: 'awaiting_pull' };
    } else if (d.endpoint) {
      await playOnLoudspeaker(deps, { ...d, endpoint: d.endpoint }, bulletin);
      await prisma.delivery.update({ where: { id: d.id }, data: { status: 'sent', sentAt: deps.now(), error: null } });
    }
    await finishRunAfterDelivery(prisma, d.runId, deps.now);
    return { status: 'sent' };
  } catch (e) {
    if (e instanceof SubscriptionStopped) {
      await prisma.delivery.update({ where: { id: d.id }, data: { status: 'cancelled', sendingPart: null, error: e.message } });
      await finishRunAfterDelivery(prisma, d.runId, deps.now);
      return { status: 'cancelled' };
    }
    const f = classifySendFailure(e, platform);
    if (f.kind === 'failed') {
      await fail(f.error, f.brokenReason);
    } else {
      await prisma.delivery.update({ where: { id: d.id }, data: { status: 'pending', error: f.error.slice(0, 500), ...(f.nothingSent ? { sendingPart: null } : {}) } });
    }
    throw f.rethrow;
  }
}

/** The queue handler: on the last attempt a transient failure becomes final, so the run ends. */
export function deliverJobHandler(deps: DeliverDeps) {
  return async (data: DeliverJobData, ctx: { job: { attemptsMade: number; opts: { attempts?: number } }; signal?: AbortSignal }) => {
    const last = ctx.job.attemptsMade + 1 >= (ctx.job.opts.attempts ?? 1);
    if ('deliveryIds' in data) return playLoudspeakers(deps, data.deliveryIds, { last, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    try {
      return await deliver(deps, data.deliveryId, ctx.signal);
    } catch (e) {
      if (last && !(e instanceof RetryJobLater) && !(e instanceof PermanentJobError) && !(e instanceof HandBackJob)) {
        const d = await deps.prisma.delivery.update({ where: { id: data.deliveryId }, data: { status: 'failed' } });
        await finishRunIfDone(deps.prisma, d.runId, deps.now());
      }
      throw e;
    }
  };
}
