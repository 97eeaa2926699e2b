// Turns an approved bulletin version into the audio that goes out: the uploaded recording, or the
// text spoken by the speech engine after Vietnamese normalization; then the one render pipeline.
// The result is a MediaFile (by hash) recorded on the version, so every target reuses it.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { storeMediaFile } from '../../src/media/media-store.ts';
import type { AudioFormat, AudioPipeline } from './audio-pipeline.ts';
import { normalizeSpeechVi } from './normalize-speech-vi.ts';
import type { SpeechEngine } from './speech-engine.ts';

export interface RenderDeps {
  prisma: PrismaClient;
  pipeline: AudioPipeline;
  speech: SpeechEngine;
  dataDir: string;
  voice?: string;
  bitrateKbps?: number;
  loudnessI?: number;
  /** The commune's chime, played before and after every bulletin. */
  chimePath?: string;
}

export interface RenderedVersion {
  sha256: string;
  durationMs: number;
}

/** Another encoding of a version's audio: Telegram and Zalo voice messages, or a loudspeaker's own bitrate. */
export interface AudioVariant {
  format: AudioFormat;
  bitrateKbps?: number;
}

const DEFAULT_MP3_KBPS = 64;
const MIME: Record<AudioFormat, string> = { mp3: 'audio/mpeg', opus: 'audio/ogg', m4a: 'audio/mp4' };

/**
 * The version's audio, rendered once and recorded on the version; a variant is made from that
 * render (already normalized, so re-encoding keeps its loudness) and cached by the pipeline.
 */
export async function renderBulletinVersion(deps: RenderDeps, versionId: string, variant?: AudioVariant): Promise<RenderedVersion> {
  // A fan-out starts many deliveries of one version at once: they share one render, not race. An
  // approved (frozen) version never changes, so its render is remembered: no read per delivery.
  const base = frozenRenders.get(versionId) ?? (await once(`base:${versionId}`, () => renderBase(deps, versionId), false));
  const defaultMp3 = !variant || (variant.format === 'mp3' && (variant.bitrateKbps ?? DEFAULT_MP3_KBPS) === (deps.bitrateKbps ?? DEFAULT_MP3_KBPS));
  if (defaultMp3) return base;
  // Keyed by the base audio's hash, so an edited draft never gets a stale variant.
  return once(`${base.sha256}:${variant.format}:${variant.bitrateKbps ?? ''}:${deps.loudnessI ?? ''}`, async () => {
    const file = await deps.prisma.mediaFile.findUniqueOrThrow({ where: { sha256: base.sha256 } });
    const out = await deps.pipeline.render(join(deps.dataDir, file.path), { format: variant.format, ...(variant.bitrateKbps ? { bitrateKbps: variant.bitrateKbps } : {}), ...(deps.loudnessI != null ? { loudnessI: deps.loudnessI } : {}) });
    const stored = await storeMediaFile(deps.prisma, deps.dataDir, out.path, MIME[variant.format], out.durationMs);
    return { sha256: stored.sha256, durationMs: out.durationMs };
  });
}

const inFlight = new Map<string, Promise<RenderedVersion>>();
const frozenRenders = new Map<string, RenderedVersion>();
const variants = new Map<string, RenderedVersion>();
const MAX_REMEMBERED = 500;

/** Runs `make` once for concurrent callers of `key`; with `remember`, keeps the result too. */
async function once(key: string, make: () => Promise<RenderedVersion>, remember = true): Promise<RenderedVersion> {
  const known = variants.get(key);
  if (known) return known;
  let p = inFlight.get(key);
  if (!p) {
    p = make().finally(() => inFlight.delete(key));
    inFlight.set(key, p);
  }
  const r = await p;
  if (remember) {
    if (variants.size >= MAX_REMEMBERED) variants.delete(variants.keys().next().value!);
    variants.set(key, r);
  }
  return r;
}

async function renderBase(deps: RenderDeps, versionId: string): Promise<RenderedVersion> {
  const v = await deps.prisma.bulletinVersion.findUniqueOrThrow({ where: { id: versionId } });
  const remember = (r: RenderedVersion) => {
    if (!v.frozenAt) return r;
    if (frozenRenders.size >= MAX_REMEMBERED) frozenRenders.delete(frozenRenders.keys().next().value!);
    frozenRenders.set(versionId, r);
    return r;
  };
  if (v.renderedSha256 && v.renderedDurationMs) return remember({ sha256: v.renderedSha256, durationMs: v.renderedDurationMs });
  // The same words (a province bulletin: one copy per commune) are spoken once per process.
  const source = v.audioSha256 ? `audio:${v.audioSha256}` : `text:${createHash('sha256').update(v.text ?? '').digest('hex')}`;
  const settings = [deps.voice, deps.bitrateKbps, deps.loudnessI, deps.chimePath, deps.dataDir].join('|');
  const r = await once(`source:${source}:${settings}`, () => renderSource(deps, v));
  await deps.prisma.bulletinVersion.update({ where: { id: versionId }, data: { renderedSha256: r.sha256, renderedDurationMs: r.durationMs } });
  return remember(r);
}

async function renderSource(deps: RenderDeps, v: { audioSha256: string | null; text: string | null }): Promise<RenderedVersion> {
  const work = await mkdtemp(join(tmpdir(), 'loaxa-render-'));
  try {
    let input: string;
    if (v.audioSha256) {
      const file = await deps.prisma.mediaFile.findUniqueOrThrow({ where: { sha256: v.audioSha256 } });
      input = join(deps.dataDir, file.path);
    } else {
      const wav = await deps.speech.synthesize(normalizeSpeechVi(v.text ?? ''), { ...(deps.voice ? { voice: deps.voice } : {}) });
      input = join(work, 'speech.audio');
      await writeFile(input, wav);
    }
    const out = await deps.pipeline.render(input, {
      format: 'mp3',
      ...(deps.bitrateKbps ? { bitrateKbps: deps.bitrateKbps } : {}),
      ...(deps.loudnessI != null ? { loudnessI: deps.loudnessI } : {}),
      ...(deps.chimePath ? { introPath: deps.chimePath, outroPath: deps.chimePath } : {}),
    });
    const stored = await storeMediaFile(deps.prisma, deps.dataDir, out.path, 'audio/mpeg', out.durationMs);
    return { sha256: stored.sha256, durationMs: out.durationMs };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
