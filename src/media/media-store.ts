// Files kept under DATA_DIR by content hash (photos residents send, recordings staff upload,
// rendered audio): the same file sent twice is stored once, and a path never reveals who sent it.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PrismaClient } from '../db/generated/client.ts';

export interface StoredMedia {
  sha256: string;
  size: number;
  mime: string;
  /** Relative to DATA_DIR. */
  path: string;
}

const relativePath = (sha256: string) => join('media', sha256.slice(0, 2), sha256);

/** Puts the bytes under their hash (write, then rename: a crash never leaves a half file there). */
async function place(dataDir: string, sha256: string, size: number, write: (tmp: string) => Promise<void>): Promise<string> {
  const rel = relativePath(sha256);
  const abs = join(dataDir, rel);
  const exists = await stat(abs).then((s) => s.size === size, () => false);
  if (!exists) {
    await mkdir(dirname(abs), { recursive: true });
    const tmp = `${abs}.${process.pid}.${Date.now()}.tmp`;
    try {
      await write(tmp);
      await rename(tmp, abs);
    } finally {
      await rm(tmp, { force: true });
    }
  }
  return rel;
}

async function record(prisma: PrismaClient, m: StoredMedia, durationMs?: number): Promise<StoredMedia> {
  await prisma.mediaFile.upsert({
    where: { sha256: m.sha256 },
    create: { sha256: m.sha256, mime: m.mime, size: m.size, path: m.path, durationMs: durationMs ?? null },
    update: durationMs != null ? { durationMs } : {},
  });
  return m;
}

export async function storeMedia(prisma: PrismaClient, dataDir: string, buffer: Buffer, mime: string): Promise<StoredMedia> {
  const sha256 = createHash('sha256').update(buffer).digest('hex');
  const path = await place(dataDir, sha256, buffer.length, (tmp) => writeFile(tmp, buffer));
  return record(prisma, { sha256, size: buffer.length, mime, path });
}

/** Stores a file already on disk (an upload streamed to a temporary file), hashing it as a stream. */
export async function storeMediaFile(prisma: PrismaClient, dataDir: string, file: string, mime: string, durationMs?: number): Promise<StoredMedia> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const sha256 = hash.digest('hex');
  const size = (await stat(file)).size;
  const path = await place(dataDir, sha256, size, (tmp) => copyFile(file, tmp));
  return record(prisma, { sha256, size, mime, path }, durationMs);
}
