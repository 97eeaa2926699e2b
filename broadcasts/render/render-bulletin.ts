// Turns an approved bulletin version into the audio that goes out: the uploaded recording, or the
// text spoken by the speech engine after Vietnamese normalization; then the one render pipeline.
// The result is a MediaFile (by hash) recorded on the version, so every target reuses it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { storeMediaFile } from '../../src/media/media-store.ts';
import type { AudioPipeline } from './audio-pipeline.ts';
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
}

export interface RenderedVersion {
  sha256: string;
  durationMs: number;
}

export async function renderBulletinVersion(deps: RenderDeps, versionId: string): Promise<RenderedVersion> {
  const v = await deps.prisma.bulletinVersion.findUniqueOrThrow({ where: { id: versionId } });
  if (v.renderedSha256 && v.renderedDurationMs) return { sha256: v.renderedSha256, durationMs: v.renderedDurationMs };
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
    const out = await deps.pipeline.render(input, { format: 'mp3', ...(deps.bitrateKbps ? { bitrateKbps: deps.bitrateKbps } : {}), ...(deps.loudnessI != null ? { loudnessI: deps.loudnessI } : {}) });
    const stored = await storeMediaFile(deps.prisma, deps.dataDir, out.path, 'audio/mpeg', out.durationMs);
    await deps.prisma.bulletinVersion.update({ where: { id: versionId }, data: { renderedSha256: stored.sha256, renderedDurationMs: out.durationMs } });
    return { sha256: stored.sha256, durationMs: out.durationMs };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
