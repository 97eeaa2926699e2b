// Bulletins to subscribers on top of the listening harness: the same bots that took /dangky
// deliver the bulletin (the deliver worker with real speech rendering), and a gate can hold one
// platform send so a test acts while a fan-out is running.
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Channel, OutboundContent } from '../../bots/channel.ts';
import { ChannelDirectory } from '../../src/channels/channel-directory.ts';
import { createMediaLinkSigner } from '../../src/media/signed-url.ts';
import { createBulletinWorkflow, type AudienceInput } from '../../src/bulletins/bulletin-workflow.ts';
import { createAudioPipeline } from '../../broadcasts/render/audio-pipeline.ts';
import { resolveFfmpeg } from '../../broadcasts/render/ffmpeg-binary.ts';
import { createEspeakEngine } from '../../broadcasts/render/speech-engine.ts';
import { renderBulletinVersion, type AudioVariant } from '../../broadcasts/render/render-bulletin.ts';
import { deliverJob, queueRun, startRun, type StartedRun } from '../../broadcasts/fanout/start-run.ts';
import { deliverJobHandler } from '../../broadcasts/fanout/deliver.ts';
import type { WorkerHandle } from '../../src/queues/queue-kit.ts';
import type { ListeningHarness } from './listening-harness.ts';

export interface HeldSend {
  chatId: string;
  content: OutboundContent;
  release(): void;
}

export interface SubscriberBroadcasts {
  /** Writes, submits and approves a bulletin with this audience. */
  approved(title: string, text: string, audience: AudienceInput): Promise<string>;
  /** Starts its run (now, or at a given time) and queues the deliveries. */
  fanOut(bulletinId: string, at?: Date): Promise<StartedRun>;
  /** The next platform send of a bulletin part waits until released; resolves when it is held. */
  holdNextSend(): Promise<HeldSend>;
  close(): Promise<void>;
}

/** A channel whose sends pass a gate first; everything else is the adapter's own. */
function gated(ch: Channel, gate: (chatId: string, content: OutboundContent) => Promise<void>): Channel {
  return Object.assign(Object.create(ch) as Channel, {
    send: async (chatId: string, content: OutboundContent) => {
      await gate(chatId, content);
      return ch.send(chatId, content);
    },
  });
}

export async function startSubscriberBroadcasts(h: ListeningHarness, opts: { concurrency?: number } = {}): Promise<SubscriberBroadcasts> {
  const waiting: Array<(held: HeldSend) => void> = [];
  const gate = (chatId: string, content: OutboundContent) =>
    new Promise<void>((resolve) => {
      const take = waiting.shift();
      if (!take) return resolve();
      take({ chatId, content, release: resolve });
    });
  const directory = new ChannelDirectory().register(gated(h.telegram, gate));
  if (h.zaloBot) directory.register(gated(h.zaloBot.channel, gate));
  if (h.zaloOa) directory.register(gated(h.zaloOa.channel, gate));
  const ffmpeg = resolveFfmpeg(process.env.FFMPEG_PATH)!;
  const pipeline = createAudioPipeline({ ffmpegPath: ffmpeg.path, cacheDir: join(h.dataDir, 'render-cache') });
  const speech = createEspeakEngine();
  const handler = deliverJobHandler({
    prisma: h.prisma,
    channels: directory,
    signer: createMediaLinkSigner(randomBytes(32)),
    publicBaseUrl: 'http://127.0.0.1:9',
    dataDir: h.dataDir,
    render: (versionId: string, variant?: AudioVariant) => renderBulletinVersion({ prisma: h.prisma, pipeline, speech, dataDir: h.dataDir }, versionId, variant),
    now: () => new Date(),
  });
  const worker: WorkerHandle = h.queues.startWorker('broadcast', { [deliverJob.name]: handler as never }, { concurrency: opts.concurrency ?? 1 });
  const staff = async (username: string) => (await h.prisma.staff.findUniqueOrThrow({ where: { username } })).id;
  return {
    async approved(title, text, audience) {
      const wf = createBulletinWorkflow(h.prisma);
      const editor = { staffId: await staff('vanhoa') };
      const b = await wf.createDraft(editor, { communeId: h.communeId, title, text, class: 'normal' });
      await wf.setAudience(editor, b.id, audience);
      await wf.submit(editor, b.id);
      await wf.approve({ staffId: await staff('chutich') }, b.id);
      return b.id;
    },
    async fanOut(bulletinId, at = new Date()) {
      const run = await startRun(h.prisma, { bulletinId, scheduledFor: at });
      await queueRun((def, data, o) => h.queues.enqueue(def, data, o), run);
      return run;
    },
    holdNextSend: () => new Promise<HeldSend>((resolve) => waiting.push(resolve)),
    async close() {
      await worker.close();
    },
  };
}
