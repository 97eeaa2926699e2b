// Prisma CLI configuration. The application itself never runs the Prisma CLI: it applies the
// committed SQL migrations on its own (src/db/migrator.ts), so it works with no engine download.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost/loaxa' },
});
