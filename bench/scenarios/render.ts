// Render speed: one minute of speech-like audio through the bulletin pipeline (probe, two
// loudness passes, mono, resample, encode), against a plain ffmpeg encode of the same input in
// the same run. Figures in × real time (audio seconds per wall second).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { againstBaseline, median, round, type BenchResult, type Scenario } from '../harness.ts';
import { createAudioPipeline } from '../../broadcasts/render/audio-pipeline.ts';
import { resolveFfmpeg } from '../../broadcasts/render/ffmpeg-binary.ts';

const scenario: Scenario = {
  name: 'render',
  description: 'bulletin render pipeline (two-pass loudnorm, mono, MP3 64 kbps) in × real time, against plain ffmpeg MP3 encode of the same input',
  async run(ctx): Promise<BenchResult> {
    const ffmpeg = resolveFfmpeg(process.env.FFMPEG_PATH);
    if (!ffmpeg) throw new Error('ffmpeg not found (apt-get install ffmpeg or FFMPEG_PATH)');
    const dir = mkdtempSync(join(tmpdir(), 'loaxa-bench-render-'));
    try {
      const seconds = ctx.quick ? 20 : 60;
      const input = join(dir, 'input.wav');
      // Speech-like: a tone with amplitude modulation and pink noise, 48 kHz stereo as phones record.
      execFileSync(ffmpeg.path, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `sine=frequency=220:sample_rate=48000:duration=${seconds}`, '-f', 'lavfi', '-i', `anoisesrc=color=pink:amplitude=0.05:sample_rate=48000:duration=${seconds}`, '-filter_complex', '[0:a]tremolo=f=4:d=0.7[a];[a][1:a]amix=inputs=2[m]', '-map', '[m]', '-ac', '2', input]);
      const runs = ctx.quick ? 2 : 3;
      const pipelineTimes: number[] = [];
      const plainTimes: number[] = [];
      for (let i = 0; i < runs; i++) {
        // A fresh cache each time: the cache would otherwise answer in microseconds.
        const pipeline = createAudioPipeline({ ffmpegPath: ffmpeg.path, cacheDir: join(dir, `cache-${i}`) });
        let t = performance.now();
        await pipeline.render(input, { format: 'mp3' });
        pipelineTimes.push(performance.now() - t);
        t = performance.now();
        execFileSync(ffmpeg.path, ['-hide_banner', '-loglevel', 'error', '-y', '-i', input, '-ac', '1', '-ar', '44100', '-c:a', 'libmp3lame', '-b:a', '64k', join(dir, `plain-${i}.mp3`)]);
        plainTimes.push(performance.now() - t);
        ctx.log(`run ${i + 1}/${runs}: pipeline ${Math.round(pipelineTimes.at(-1)!)} ms, plain ${Math.round(plainTimes.at(-1)!)} ms`);
      }
      const figures = {
        speed: { value: round((seconds * 1000) / median(pipelineTimes), 1), unit: '× real time' },
        plain_ffmpeg_speed: { value: round((seconds * 1000) / median(plainTimes), 1), unit: '× real time' },
      };
      return {
        figures,
        comparisons: [againstBaseline(figures, 'speed', figures.plain_ffmpeg_speed, 'plain ffmpeg MP3 encode, same input, same run', 'higher')],
        meta: { audio_seconds: seconds, runs, ffmpeg: ffmpeg.source, statistic: 'median', note: 'the pipeline decodes the input three times (probe, measure, render) plus a probe of the output' },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default scenario;
