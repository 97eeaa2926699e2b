// The national list of fields ("lĩnh vực"). Kept in sync at every start: new codes are added,
// names and examples refreshed; codes are never deleted (tickets refer to them).
import type { PrismaClient } from '../db/generated/client.ts';
import categories from './categories.json' with { type: 'json' };

export interface CategorySeed {
  code: string;
  name: string;
  examples: string[];
}

export const CATEGORY_SEEDS: readonly CategorySeed[] = categories;

export async function ensureCategories(prisma: PrismaClient): Promise<number> {
  let i = 0;
  for (const c of CATEGORY_SEEDS) {
    i++;
    await prisma.category.upsert({
      where: { code: c.code },
      create: { code: c.code, name: c.name, examples: c.examples, sortOrder: i },
      update: { name: c.name, examples: c.examples, sortOrder: i },
    });
  }
  return CATEGORY_SEEDS.length;
}
