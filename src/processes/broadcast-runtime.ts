// What the speaking side needs in a process: the signer of media links (shared by every process
// of an installation), the render pipeline and speech engine, and the delivery dependencies.
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Settings } from '../config/settings.ts';
import { createMediaLinkSigner, type MediaLinkSigner } from '../media/signed-url.ts';
import { createAudioPipeline, type AudioPipeline } from '../../broadcasts/render/audio-pipeline.ts';
import { resolveFfmpeg } from '../../broadcasts/render/ffmpeg-binary.ts';
import { createEspeakEngine, type SpeechEngine } from '../../broadcasts/render/speech-engine.ts';
import { createFptSpeechEngine, createViettelSpeechEngine } from '../../broadcasts/render/cloud-speech-engines.ts';
import { OperatorError } from './operator-error.ts';
import { renderBulletinVersion, type AudioVariant, type RenderedVersion } from '../../broadcasts/render/render-bulletin.ts';
import type { PrismaClient } from '../db/generated/client.ts';
import type { DeliverDeps } from '../../broadcasts/fanout/deliver.ts';
import { PermanentJobError } from '../queues/job-errors.ts';
import type { Runtime } from './runtime.ts';
import type { ProcessChannels } from './channels.ts';

/**
 * With ENCRYPTION_KEY every process (and host) derives the same key; without it (single box) a
 * key is kept in DATA_DIR, which every process on that box shares.
 */
export async function mediaSigner(settings: Settings): Promise<MediaLinkSigner> {
  return createMediaLinkSigner(await installationKey(settings));
}

/** The installation's own key: the media-link key, and the source of the demo loudspeakers' secrets. */
export async function installationKey(settings: Settings): Promise<Buffer> {
  if (settings.ENCRYPTION_KEY) return createHmac('sha256', settings.ENCRYPTION_KEY).update('loaxa-media-links').digest();
  const dir = join(settings.DATA_DIR, 'secrets');
  const file = join(dir, 'media-link.key');
  let key = await readFile(file).catch(() => undefined);
  if (!key || key.length !== 32) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    key = randomBytes(32);
    await writeFile(file, key, { mode: 0o600, flag: 'wx' }).catch(async () => {
      key = await readFile(file);
    });
  }
  return key;
}

/** The key the simulated (demo) loudspeakers' secrets derive from. */
export async function demoLoudspeakerKey(settings: Settings): Promise<Buffer> {
  return createHmac('sha256', await installationKey(settings)).update('loaxa-demo-loudspeakers').digest();
}

export function publicBaseUrl(settings: Settings): string {
  return settings.PUBLIC_BASE_URL ?? `http://127.0.0.1:${settings.PORT}`;
}

/** The speech engine the settings choose; a cloud one without its key stops the process. */
export function speechEngine(settings: Settings): SpeechEngine {
  if (settings.TTS_ENGINE === 'espeak-ng') return createEspeakEngine(settings.ESPEAK_PATH);
  if (!settings.TTS_API_KEY) throw new OperatorError(`TTS_ENGINE=${settings.TTS_ENGINE} cần TTS_API_KEY (khóa của dịch vụ đọc văn bản)`);
  const opts = { apiKey: settings.TTS_API_KEY, ...(settings.TTS_API_URL ? { apiUrl: settings.TTS_API_URL } : {}), ...(settings.TTS_VOICE ? { voice: settings.TTS_VOICE } : {}), speed: settings.TTS_SPEED };
  return settings.TTS_ENGINE === 'viettel' ? createViettelSpeechEngine(opts) : createFptSpeechEngine(opts);
}

/** Renders a bulletin version with this installation's pipeline, engine and loudness target. */
export function bulletinRenderer(settings: Settings, prisma: PrismaClient): ((versionId: string, variant?: AudioVariant) => Promise<RenderedVersion>) & { pipeline?: AudioPipeline } {
  const ffmpeg = resolveFfmpeg(settings.FFMPEG_PATH);
  const pipeline = ffmpeg ? createAudioPipeline({ ffmpegPath: ffmpeg.path, cacheDir: join(settings.DATA_DIR, 'render-cache'), maxInputBytes: settings.MAX_AUDIO_UPLOAD_MB * 1024 * 1024 }) : undefined;
  const speech = speechEngine(settings);
  if (settings.CHIME_PATH && !existsSync(settings.CHIME_PATH)) throw new OperatorError(`CHIME_PATH: không có tệp ${settings.CHIME_PATH}`);
  const render = (versionId: string, variant?: AudioVariant) => {
    if (!pipeline) throw new PermanentJobError('Không tìm thấy ffmpeg: cài "apt-get install ffmpeg" hoặc đặt FFMPEG_PATH để dựng âm thanh bản tin.');
    const voice = settings.TTS_ENGINE === 'espeak-ng' ? settings.TTS_VOICE : undefined;
    const deps = { prisma, pipeline, speech, dataDir: settings.DATA_DIR, loudnessI: settings.LOUDNESS_TARGET_LUFS, ...(voice ? { voice } : {}), ...(settings.CHIME_PATH ? { chimePath: settings.CHIME_PATH } : {}) };
    return renderBulletinVersion(deps, versionId, variant);
  };
  return Object.assign(render, pipeline ? { pipeline } : {});
}

export async function deliverDeps(rt: Runtime, channels: ProcessChannels): Promise<DeliverDeps> {
  const { settings, db } = rt;
  return {
    prisma: db.prisma,
    channels: channels.directory,
    signer: await mediaSigner(settings),
    publicBaseUrl: publicBaseUrl(settings),
    dataDir: settings.DATA_DIR,
    encryptionKey: settings.ENCRYPTION_KEY,
    demoKey: await demoLoudspeakerKey(settings),
    render: bulletinRenderer(settings, db.prisma),
    now: () => new Date(),
    enqueue: rt.queues.enqueue.bind(rt.queues),
  };
}
