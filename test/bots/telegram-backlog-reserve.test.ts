// A backlog's sends (restored work) leave a group's last sends of its minute to new work: once 15
// of the 20 are taken by the backlog, another backlog send has to wait, a new ticket's post still
// goes at once; the whole 20 are the ceiling for everyone. Same rule in the Redis pace and the
// in-process one.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ChannelError } from '../../bots/channel.ts';
import { BACKGROUND_RESERVE, createRedisTelegramPacer, SendPacer, type TelegramPacer } from '../../bots/telegram/send-pacer.ts';
import { deleteTestRedisKeys, TEST_REDIS_URL, testRedisPrefix } from '../support/services.ts';

const prefix = testRedisPrefix();
const redis = new Redis(TEST_REDIS_URL);
afterAll(async () => {
  redis.disconnect();
  await deleteTestRedisKeys(prefix);
});

const GROUP = '-1005550001';
const PER_MINUTE = 20;

async function refused(p: Promise<void>): Promise<boolean> {
  try {
    await p;
    return false;
  } catch (e) {
    if (e instanceof ChannelError && e.kind === 'rate_limited') return true;
    throw e;
  }
}

describe.each([
  ['Redis', () => createRedisTelegramPacer(redis, `${prefix}:tg-pace:1`, { perSecond: 1_000_000, perMinutePerGroup: PER_MINUTE, maxWaitMs: 20 })],
  ['in-process', () => new SendPacer(1_000_000, PER_MINUTE, 20)],
] as Array<[string, () => TelegramPacer]>)('the %s pace of a group', (_name, make) => {
  it('keeps the last sends of the minute for new work', async () => {
    const pacer = make();
    for (let i = 0; i < PER_MINUTE - BACKGROUND_RESERVE; i++) expect(await refused(pacer.wait(GROUP, true))).toBe(false);
    // The backlog has had its share of this minute.
    expect(await refused(pacer.wait(GROUP, true))).toBe(true);
    // New work still goes, up to the group's limit.
    for (let i = 0; i < BACKGROUND_RESERVE; i++) expect(await refused(pacer.wait(GROUP))).toBe(false);
    expect(await refused(pacer.wait(GROUP))).toBe(true);
  });
});
