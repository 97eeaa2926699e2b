// The render pipeline with the real ffmpeg (Debian package, or FFMPEG_PATH): loudness lands on
// target, mono at the endpoint's rate, chimes added, results cached, and bad inputs refused with a
// clear reason. Speech comes from the real espeak-ng.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAudioPipeline, type AudioPipeline } from '../../broadcasts/render/audio-pipeline.ts';
import { resolveFfmpeg } from '../../broadcasts/render/ffmpeg-binary.ts';
import { createEspeakEngine } from '../../broadcasts/render/speech-engine.ts';
import { normalizeSpeechVi } from '../../broadcasts/render/normalize-speech-vi.ts';

const ffmpeg = resolveFfmpeg(process.env.FFMPEG_PATH)!;
const dir = mkdtempSync(join(tmpdir(), 'loaxa-render-'));
let pipeline: AudioPipeline;

/** A test signal made by ffmpeg itself (lavfi): tone, noise, silence. */
function make(name: string, source: string, seconds: number, extra: string[] = []): string {
  const path = join(dir, name);
  execFileSync(ffmpeg.path, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `${source}:duration=${seconds}`, ...extra, path]);
  return path;
}

beforeAll(() => {
  expect(ffmpeg, 'ffmpeg is needed (apt-get install ffmpeg)').toBeDefined();
  pipeline = createAudioPipeline({ ffmpegPath: ffmpeg.path, cacheDir: join(dir, 'cache'), maxInputBytes: 5 * 1024 * 1024 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('audio pipeline', () => {
  it('renders a quiet stereo recording to mono MP3 at −16 LUFS, 44.1 kHz, with hash and duration', async () => {
    const quiet = make('quiet.wav', 'sine=frequency=330:sample_rate=48000', 6, ['-ac', '2', '-af', 'volume=-20dB']);
    const r = await pipeline.render(quiet, { format: 'mp3' });
    expect(r.format).toBe('mp3');
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Math.abs(r.durationMs - 6000)).toBeLessThan(150);
    const l = await pipeline.loudness(r.path);
    expect(Math.abs(l.i - -16)).toBeLessThan(1);
    expect(l.tp).toBeLessThanOrEqual(-1);
    const info = spawnSync(ffmpeg.path, ['-hide_banner', '-i', r.path, '-f', 'null', '-'], { encoding: 'utf8' }).stderr;
    expect(info).toMatch(/Audio: mp3.*44100 Hz, mono/);
    expect(r.measured.inputI).toBeLessThan(-30);
  });

  it('renders OGG/Opus for Telegram voice notes, and adds the commune chime before and after', async () => {
    const body = make('body.wav', 'sine=frequency=500', 3);
    const chime = make('chime.wav', 'sine=frequency=880', 1);
    const r = await pipeline.render(body, { format: 'opus', introPath: chime, outroPath: chime });
    expect(r.path.endsWith('.ogg')).toBe(true);
    expect(Math.abs(r.durationMs - 5000)).toBeLessThan(200);
  });

  it('renders the same input once (cache by content and settings)', async () => {
    const body = make('again.wav', 'sine=frequency=600', 2);
    const a = await pipeline.render(body, { format: 'mp3' });
    const b = await pipeline.render(body, { format: 'mp3' });
    expect(b).toEqual(a);
    const c = await pipeline.render(body, { format: 'mp3', bitrateKbps: 96 });
    expect(c.path).not.toBe(a.path);
  });

  it('refuses what is not audio, silence, and files over the size limit, each with a clear reason', async () => {
    const text = join(dir, 'not-audio.mp3');
    writeFileSync(text, 'Đây không phải âm thanh');
    await expect(pipeline.render(text, { format: 'mp3' })).rejects.toMatchObject({ reason: 'not_audio', message: expect.stringContaining('không phải âm thanh') });
    const image = make('image.png', 'color=c=red:size=32x32', 1, ['-frames:v', '1']);
    await expect(pipeline.render(image, { format: 'mp3' })).rejects.toMatchObject({ reason: 'not_audio' });
    const silence = make('silence.wav', 'anullsrc=r=44100:cl=mono', 3);
    await expect(pipeline.render(silence, { format: 'mp3' })).rejects.toMatchObject({ reason: 'silent' });
    const big = join(dir, 'big.wav');
    writeFileSync(big, Buffer.alloc(6 * 1024 * 1024));
    await expect(pipeline.render(big, { format: 'mp3' })).rejects.toMatchObject({ reason: 'too_large' });
  });

  it('brings a clipped, too-loud recording down under the true-peak ceiling', async () => {
    const loud = make('loud.wav', 'sine=frequency=440', 4, ['-af', 'volume=12dB']);
    const r = await pipeline.render(loud, { format: 'mp3' });
    const l = await pipeline.loudness(r.path);
    expect(l.tp).toBeLessThanOrEqual(-1);
    expect(Math.abs(l.i - -16)).toBeLessThan(1.5);
  });
});

describe('speech (espeak-ng, Vietnamese)', () => {
  it('speaks a normalized bulletin, and the result renders like a recording', async () => {
    const engine = createEspeakEngine();
    const wav = await engine.synthesize(normalizeSpeechVi('UBND xã thông báo: ngày 25/11/2026 tiêm vắc xin sởi cho trẻ từ 1-5 tuổi.'), { voice: 'vi', speed: 0.9 });
    expect(wav.subarray(0, 4).toString()).toBe('RIFF');
    const path = join(dir, 'speech.wav');
    writeFileSync(path, wav);
    const r = await pipeline.render(path, { format: 'mp3' });
    expect(r.durationMs).toBeGreaterThan(3000);
  });

  it('says clearly when espeak-ng is missing', async () => {
    await expect(createEspeakEngine('espeak-ng-khong-co').synthesize('xin chào')).rejects.toThrow(/apt-get install espeak-ng/);
  });
});
