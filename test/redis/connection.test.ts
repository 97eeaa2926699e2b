// Checking Redis at start: a clear, single line naming the address (without its password).
import { describe, expect, it } from 'vitest';
import { assertRedisReachable, redisConnectionOptions } from '../../src/redis/connection.ts';
import { TEST_REDIS_URL } from '../support/services.ts';

describe('Redis connection', () => {
  it('accepts the machine Redis', async () => {
    await expect(assertRedisReachable(TEST_REDIS_URL, 2000)).resolves.toBeUndefined();
  });

  it.each([
    ['a closed port', 'redis://:s3cret@127.0.0.1:1'],
    ['a missing unix socket', 'unix:///tmp/loaxa-khong-co.sock'],
  ])('refuses %s within the timeout, in one line, without the password', async (_what, url) => {
    const t0 = Date.now();
    const err = (await assertRedisReachable(url, 1500).catch((e: Error) => e)) as Error;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(err.name).toBe('RedisUnavailableError');
    expect(err.message).not.toContain('\n');
    expect(err.message).toContain('REDIS_URL');
    expect(err.message).not.toContain('s3cret');
  });

  it('does not hang on an address that never answers', async () => {
    // 10.255.255.1 is not routed here: the connection attempt hangs until our timeout.
    const err = (await assertRedisReachable('redis://10.255.255.1:6379', 800).catch((e: Error) => e)) as Error;
    expect(err.name).toBe('RedisUnavailableError');
  });

  it('reads every URL form', () => {
    expect(redisConnectionOptions('redis://u:p%40ss@h:6380/2', 'x')).toMatchObject({ host: 'h', port: 6380, db: 2, username: 'u', password: 'p@ss' });
    expect(redisConnectionOptions('unix:///run/r.sock?db=3', 'x')).toMatchObject({ path: '/run/r.sock', db: 3 });
    expect(redisConnectionOptions('rediss://h', 'x')).toMatchObject({ host: 'h', port: 6379, tls: { servername: 'h' } });
    expect(redisConnectionOptions('redis://h', 'worker', true).maxRetriesPerRequest).toBeNull();
  });
});
