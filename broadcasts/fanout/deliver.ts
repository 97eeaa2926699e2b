// One delivery: a bulletin version to one Telegram group or one loudspeaker cluster. A delivery
// marked sent is never sent again (retries, restarts, a second job); Telegram's text and audio are
// two messages, so progress is recorded after each, and a retry resumes where it stopped. A
// permanent refusal marks the target broken (staff see why); rate limits delay, not fail.
import { join } from 'node:path';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import type { ChannelDirectory } from '../../src/channels/channel-directory.ts';
import { ChannelError, type Channel, type OutboundContent, type SendResult } from '../../bots/channel.ts';
import { HandBackJob, PermanentJobError, RetryJobLater } from '../../src/queues/job-errors.ts';
import type { MediaLinkSigner } from '../../src/media/signed-url.ts';
import { markBroken } from '../../src/bulletins/broken-target-notice.ts';
import type { ZaloOaChannel } from '../../bots/zalo-oa/zalo-oa-channel.ts';
import { oaDeliveryOutcome } from '../../bots/zalo-oa/deliver-oa-bulletin.ts';
import type { Enqueue } from '../../src/tickets/ticket-deps.ts';
import { createLoaxaHttpEndpoint } from '../radio/loaxa-http-endpoint.ts';
import { endpointSecret } from '../radio/endpoint-secret.ts';
import { createAxisEndpoint } from '../radio/axis-endpoint.ts';
import { EndpointError, PULL_MARK, type Endpoint } from '../radio/endpoint.ts';
import type { AudioVariant, RenderedVersion } from '../render/render-bulletin.ts';
import { SpeechEngineError } from '../render/speech-engine.ts';
import { AudioRenderError } from '../render/audio-pipeline.ts';

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

const FINAL = ['sent', 'failed', 'cancelled'];


/** Telegram progress inside platformMessageId: "t:<text id>" then "t:<text id> a:<audio id>". */
function progress(s: string | null): { text?: string; audio?: string } {
  const text = /t:(\S+)/.exec(s ?? '')?.[1];
  const audio = /a:(\S+)/.exec(s ?? '')?.[1];
  return { ...(text ? { text } : {}), ...(audio ? { audio } : {}) };
}

function endpointFor(deps: DeliverDeps, e: { id: string; protocol: string; baseUrl: string | null; secretEnc: string | null }): Endpoint {
  if (!e.baseUrl) throw new PermanentJobError('cụm loa chưa có địa chỉ');
  const noAxisAccount = 'cụm loa Axis chưa có tài khoản (tên:mật khẩu)';
  const found = endpointSecret(e, deps);
  if (!found.ok) {
    if (found.reason === 'no-key') throw new PermanentJobError('thiếu ENCRYPTION_KEY để đọc khóa của cụm loa');
    // An Axis speaker's stored secret is its account, so a missing one is named as such.
    throw new PermanentJobError(e.protocol === 'axis' ? noAxisAccount : 'cụm loa chưa có khóa bí mật riêng');
  }
  const secret = found.secret;
  if (e.protocol === 'axis') {
    // Axis credentials are stored as "user:password".
    const colon = secret.indexOf(':');
    if (colon < 1) throw new PermanentJobError(noAxisAccount);
    return createAxisEndpoint({ baseUrl: e.baseUrl, username: secret.slice(0, colon), password: secret.slice(colon + 1) });
  }
  return createLoaxaHttpEndpoint({ baseUrl: e.baseUrl, secret });
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
    if (!(e instanceof ChannelError && e.kind === 'rate_limited' && e.opts.quota)) throw e;
    const others = await deps.prisma.channelAccount.findMany({ where: { communeId, platform: primary.platform, status: 'connected', name: { not: primary.accountId } }, orderBy: { createdAt: 'asc' } });
    for (const o of others) {
      const ch = deps.channels.get(primary.platform, o.name);
      if (!ch) continue;
      try {
        return await ch.send(chatId, content);
      } catch (e2) {
        // Not in that group, or at its cap too: try the next one.
        if (e2 instanceof ChannelError && (e2.permanent || e2.opts.quota)) continue;
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
  const d = await prisma.delivery.findUnique({ where: { id: deliveryId }, include: { run: { include: { bulletin: true } }, bulletinVersion: true, target: { include: { channelAccount: true } }, endpoint: true } });
  if (!d) return { status: 'gone' };
  if (FINAL.includes(d.status)) return { status: `already_${d.status}` };
  if (d.run.bulletin.status === 'cancelled') {
    await prisma.delivery.update({ where: { id: d.id }, data: { status: 'cancelled' } });
    return { status: 'cancelled' };
  }
  // A send that began and never recorded its result (the process died, its job was handed back or
  // lost): the group may have it. It is sent once more, and the report says it may be doubled.
  const uncertain = Boolean(d.target && d.sendingPart);
  await prisma.delivery.update({ where: { id: d.id }, data: { status: 'sending', attempts: { increment: 1 }, lastAttemptAt: deps.now(), ...(uncertain ? { possibleDuplicate: true } : {}) } });
  const bulletin = d.run.bulletin;

  const fail = async (why: string, brokenReason?: string) => {
    await prisma.delivery.update({ where: { id: d.id }, data: { status: 'failed', error: why.slice(0, 500) } });
    if (brokenReason) await markBroken(prisma, deps.enqueue, d.targetId ? { kind: 'target', id: d.targetId, reason: brokenReason } : { kind: 'endpoint', id: d.endpointId!, reason: brokenReason });
    await finishRunIfDone(prisma, d.runId, deps.now());
  };

  try {
    // Rendered once per version whatever the target, so a failure to make audio shows on the first try.
    await deps.render(d.bulletinVersionId);
    if (d.target && (d.target.kind === 'zalo_oa_followers' || d.target.kind === 'zalo_oa_group')) {
      // The OA adapter owns this delivery (broadcast quota, GMF groups): bots/zalo-oa/deliver-oa-bulletin.ts.
      const account = d.target.channelAccount;
      const ch = account ? deps.channels.get('zalo_oa', account.name) : undefined;
      if (!account || !ch || !('deliverBulletin' in ch)) throw new PermanentJobError(`kênh Zalo OA (${account?.name ?? 'chưa chọn'}) chưa được cấu hình`);
      const r = await (ch as ZaloOaChannel).deliverBulletin(d.id, { kind: d.target.kind, channelAccountId: account.id, villageId: d.target.villageId, platformChatId: d.target.platformChatId }, { title: bulletin.title, text: d.bulletinVersion.text ?? '' });
      const outcome = oaDeliveryOutcome(r);
      await afterSend(() => prisma.delivery.update({ where: { id: d.id }, data: { status: outcome.status, error: outcome.error, platformMessageId: r.messageIds.slice(0, 20).join(' ') || null, sendingPart: null, ...(outcome.status === 'sent' ? { sentAt: deps.now() } : {}) } }));
      if (outcome.status === 'failed') {
        await finishRunIfDone(prisma, d.runId, deps.now());
        return { status: 'failed' };
      }
      await prisma.target.update({ where: { id: d.target.id }, data: { lastDeliveryAt: deps.now() } });
    } else if (d.target) {
      const platform = d.target.kind === 'telegram_chat' ? 'telegram' : 'zalo';
      const account = d.target.channelAccount?.name ?? platform;
      const ch = deps.channels.get(platform, account);
      if (!ch) throw new PermanentJobError(`kênh ${platform} (${account}) chưa được cấu hình`);
      const chatId = d.target.platformChatId!;
      // The attempt is recorded before the platform call and its message id right after, so an
      // unknown outcome is the only thing left between them (Telegram has no idempotency key).
      const send = async (content: OutboundContent, part: 'text' | 'audio') => {
        // The worker is stopping: no new send, so none is left without its record at exit.
        if (signal?.aborted) throw new HandBackJob();
        await prisma.delivery.update({ where: { id: d.id }, data: { sendingPart: part } });
        return sendWithFallback(deps, ch, bulletin.communeId, chatId, content);
      };
      const done = progress(d.platformMessageId);
      let marker = d.platformMessageId ?? '';
      let noAudio: string | undefined;
      if (!done.text) {
        const sent = await send({ text: `📢 ${bulletin.title}\n\n${d.bulletinVersion.text ?? ''}`.trim() }, 'text');
        marker = `t:${sent.platformMessageId}`;
        await afterSend(() => prisma.delivery.update({ where: { id: d.id }, data: { platformMessageId: marker, sendingPart: null } }));
      }
      if (!done.audio) {
        // A voice message plays in one tap, in the chat, on every phone: OGG/Opus uploaded to
        // Telegram; M4A fetched by Zalo from a signed link.
        let sent: SendResult;
        if (platform === 'telegram') {
          const voice = await deps.render(d.bulletinVersionId, { format: 'opus' });
          const voiceFile = await prisma.mediaFile.findUniqueOrThrow({ where: { sha256: voice.sha256 } });
          sent = await send({ voice: { path: join(deps.dataDir, voiceFile.path) }, text: bulletin.title }, 'audio');
        } else if (reachableFromInternet(deps.publicBaseUrl)) {
          // Residents' phones fetch it whenever they tap play, days later too: a long-lived link.
          const voice = await deps.render(d.bulletinVersionId, { format: 'm4a' });
          sent = await send({ voice: { url: `${deps.publicBaseUrl.replace(/\/$/, '')}${deps.signer.link(voice.sha256, 'm4a', 90 * 86_400)}` } }, 'audio');
        } else {
          // A link to this machine's private address would play on nobody's phone.
          sent = { platformMessageId: 'none' };
          noAudio = 'chưa đặt PUBLIC_BASE_URL nên nhóm Zalo chỉ nhận chữ, không nhận tin nhắn thoại';
        }
        marker = `${marker} a:${sent.platformMessageId}`;
      }
      await afterSend(() => prisma.delivery.update({ where: { id: d.id }, data: { status: 'sent', platformMessageId: marker, sendingPart: null, sentAt: deps.now(), error: noAudio ?? null } }));
      await prisma.target.update({ where: { id: d.target.id }, data: { lastDeliveryAt: deps.now() } });
    } else if (d.endpoint?.pullMode) {
      // This cluster cannot take commands: the audio is ready, and it waits in the cluster's queue
      // (GET /radio/queue/<id>) until the cluster pulls it; the pull marks it sent.
      await prisma.delivery.update({ where: { id: d.id }, data: { status: 'sending', platformMessageId: PULL_MARK, error: null } });
      return { status: 'awaiting_pull' };
    } else if (d.endpoint) {
      const endpoint = endpointFor(deps, d.endpoint);
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
      await prisma.delivery.update({ where: { id: d.id }, data: { status: 'sent', sentAt: deps.now(), error: null } });
    }
    await finishRunIfDone(prisma, d.runId, deps.now());
    return { status: 'sent' };
  } catch (e) {
    if (e instanceof ChannelError) {
      if (e.kind === 'rate_limited') {
        // Refused before anything was sent: the next attempt is not a repeat.
        await prisma.delivery.update({ where: { id: d.id }, data: { status: 'pending', error: 'chờ giới hạn tốc độ', sendingPart: null } });
        throw new RetryJobLater(e.retryAfterMs ?? 1000, e.message);
      }
      if (e.permanent) {
        // Zalo's messages already name it; Telegram's are the Bot API's own words.
        const reason = /^Zalo\b/.test(e.message) ? e.message : `Telegram: ${e.message}`;
        await fail(`${e.kind}: ${e.message}`, e.kind === 'not_found' || e.kind === 'blocked' ? reason : undefined);
        throw new PermanentJobError(e.message);
      }
    }
    if (e instanceof EndpointError && e.permanent) {
      await fail(`${e.kind}: ${e.message}`, e.kind === 'unknown_endpoint' ? e.message : undefined);
      throw new PermanentJobError(e.message);
    }
    // Audio that cannot be made (no voice, a refused key, a silent recording) fails every target alike.
    if ((e instanceof SpeechEngineError && e.permanent) || (e instanceof AudioRenderError && e.reason !== 'ffmpeg_failed')) {
      await fail(`không dựng được âm thanh: ${e.message}`);
      throw new PermanentJobError(e.message);
    }
    if (e instanceof PermanentJobError) {
      await fail(e.message);
      throw e;
    }
    // Transient: back to pending for the next attempt (not a repeat when nothing reached the platform).
    const unsent = e instanceof ChannelError && e.opts.unsent;
    await prisma.delivery.update({ where: { id: d.id }, data: { status: 'pending', error: (e as Error).message.slice(0, 500), ...(unsent ? { sendingPart: null } : {}) } });
    throw e;
  }
}

/** The queue handler: on the last attempt a transient failure becomes final, so the run ends. */
export function deliverJobHandler(deps: DeliverDeps) {
  return async (data: { deliveryId: string }, ctx: { job: { attemptsMade: number; opts: { attempts?: number } }; signal?: AbortSignal }) => {
    try {
      return await deliver(deps, data.deliveryId, ctx.signal);
    } catch (e) {
      const last = ctx.job.attemptsMade + 1 >= (ctx.job.opts.attempts ?? 1);
      if (last && !(e instanceof RetryJobLater) && !(e instanceof PermanentJobError) && !(e instanceof HandBackJob)) {
        const d = await deps.prisma.delivery.update({ where: { id: data.deliveryId }, data: { status: 'failed' } });
        await finishRunIfDone(deps.prisma, d.runId, deps.now());
      }
      throw e;
    }
  };
}
