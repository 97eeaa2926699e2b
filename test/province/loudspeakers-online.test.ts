// Loudspeakers online per commune: only online ones count as online, every commune asked for is in
// the answer (0 of 0 when it has none), other communes' speakers never leak in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';
import { loudspeakersOnline } from '../../src/province/loudspeakers-online.ts';

let db: MigratedTestDatabase;
beforeAll(async () => {
  db = await openMigratedTestDatabase('speakers_online');
});
afterAll(async () => {
  await db?.close();
});

describe('loudspeakersOnline', () => {
  it('counts online and all speakers per commune in one answer', async () => {
    const [a, b, other] = await Promise.all(['xa-a', 'xa-b', 'xa-khac'].map((code) => db.prisma.commune.create({ data: { code, name: code } })));
    const speakers = (communeId: string, statuses: Array<'online' | 'offline' | 'broken' | 'unknown'>) =>
      db.prisma.endpoint.createMany({ data: statuses.map((status, i) => ({ communeId, name: `Loa ${i}`, status })) });
    await speakers(a!.id, ['online', 'online', 'offline', 'broken']);
    await speakers(other!.id, ['online', 'online']);
    const r = await loudspeakersOnline(db.prisma, [a!.id, b!.id]);
    expect(Object.fromEntries(r)).toEqual({ [a!.id]: { online: 2, total: 4 }, [b!.id]: { online: 0, total: 0 } });
    expect((await loudspeakersOnline(db.prisma, [])).size).toBe(0);
  });
});
