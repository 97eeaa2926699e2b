// The one place that decides which ffmpeg renders audio (OFFLINE.md): FFMPEG_PATH, then
// ffmpeg-static, then @ffmpeg-installer/ffmpeg (binary shipped inside the npm tarball), then
// `ffmpeg` on PATH. Packages are optional: a closed network may have none of them.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { findOnPath } from '../../src/system/find-executable.ts';

export interface FfmpegBinary {
  path: string;
  source: 'FFMPEG_PATH' | 'ffmpeg-static' | '@ffmpeg-installer/ffmpeg' | 'PATH';
}

const require = createRequire(import.meta.url);

function fromPackage(load: () => unknown): string | undefined {
  try {
    const value = load();
    const path = typeof value === 'string' ? value : (value as { path?: string })?.path;
    return path && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

export function resolveFfmpeg(ffmpegPathSetting?: string): FfmpegBinary | undefined {
  if (ffmpegPathSetting) return { path: ffmpegPathSetting, source: 'FFMPEG_PATH' };
  const fromStatic = fromPackage(() => require('ffmpeg-static'));
  if (fromStatic) return { path: fromStatic, source: 'ffmpeg-static' };
  const fromInstaller = fromPackage(() => require('@ffmpeg-installer/ffmpeg'));
  if (fromInstaller) return { path: fromInstaller, source: '@ffmpeg-installer/ffmpeg' };
  const onPath = findOnPath('ffmpeg');
  if (onPath) return { path: onPath, source: 'PATH' };
  return undefined;
}
