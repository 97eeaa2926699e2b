// Generates the Prisma client after install, offline. The generator is WebAssembly; the CLI only
// insists on a schema engine path, which generate never runs, so any existing file satisfies it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
let cli;
try {
  cli = join(dirname(require.resolve('prisma/package.json')), 'build', 'index.js');
} catch {
  // Production installs without devDependencies use the client generated at build time.
  if (existsSync(join(root, 'src/db/generated/client.ts'))) process.exit(0);
  console.error('Thiếu gói prisma để sinh Prisma Client: chạy "npm ci" (kèm devDependencies).');
  process.exit(1);
}
const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
const r = spawnSync(process.execPath, [cli, 'generate'], { cwd: root, env, stdio: 'inherit' });
process.exit(r.status ?? 1);
