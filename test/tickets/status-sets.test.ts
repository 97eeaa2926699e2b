// The ticket status sets are named once (src/tickets/ticket-status.ts) and asked for everywhere
// else: a source scan fails when any file of src/, bots/ or broadcasts/ writes one of them out again
// as a list of its own (in any order), as inbox-routes, ticket-actions and the dashboard once did.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { awaitingAnswerStatuses, finalStatuses, openStatuses } from '../../src/tickets/ticket-status.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NAMED = { openStatuses, awaitingAnswerStatuses, finalStatuses };
const key = (list: readonly string[]) => [...new Set(list)].sort().join(',');
const NAMED_KEYS = new Map(Object.entries(NAMED).map(([name, list]) => [key(list), name]));

function* sources(dir: string): Generator<string> {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (f === 'generated' || f === 'node_modules') continue;
    if (statSync(p).isDirectory()) yield* sources(p);
    else if (p.endsWith('.ts')) yield p;
  }
}

describe('ticket status sets', () => {
  it('are written out only in ticket-status.ts', () => {
    const copies: string[] = [];
    for (const dir of ['src', 'bots', 'broadcasts']) {
      for (const file of sources(join(ROOT, dir))) {
        const rel = relative(ROOT, file);
        if (rel === join('src', 'tickets', 'ticket-status.ts')) continue;
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/\[\s*('[a-z_]+'\s*(?:,\s*'[a-z_]+'\s*)+)\]/g)) {
          const items = [...m[1]!.matchAll(/'([a-z_]+)'/g)].map((x) => x[1]!);
          const named = NAMED_KEYS.get(key(items));
          if (named) copies.push(`${rel}:${text.slice(0, m.index).split('\n').length} ${m[0]} (use ${named})`);
        }
      }
    }
    expect(copies).toEqual([]);
  });

  it('the scan sees a copy when there is one', () => {
    expect(NAMED_KEYS.get(key(['in_progress', 'new', 'received']))).toBe('awaitingAnswerStatuses');
  });
});
