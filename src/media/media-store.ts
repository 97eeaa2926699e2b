// Files residents send (photos, documents) kept under DATA_DIR by content hash: the same photo
// sent twice is stored once, and a path never reveals who sent it.
import { createHash } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PrismaClient } from '../db/generated/client.ts';

export interface StoredMedia {
  sha256: string;
  size: number;
  mime: string;
  /** Relative to DATA_DIR. */
  path: string;
}

export async function storeMedia(prisma: PrismaClient, dataDir: string, buffer: Buffer, mime: string): Promise<StoredMedia> {
  const sha256 = createHash('sha256').update(buffer).digest('hex');
  const rel = join('media', sha256.slice(0, 2), sha256);
  const abs = join(dataDir, rel);
  const exists = await stat(abs).then((s) => s.size === buffer.length, () => false);
  if (!exists) {
    await mkdir(dirname(abs), { recursive: true });
    // Write then rename: a crash never leaves a half file under the final name.
    const tmp = `${abs}.${process.pid}.tmp`;
    await writeFile(tmp, buffer);
    await rename(tmp, abs);
  }
  await prisma.mediaFile.upsert({ where: { sha256 }, create: { sha256, mime, size: buffer.length, path: rel }, update: {} });
  return { sha256, size: buffer.length, mime, path: rel };
}
