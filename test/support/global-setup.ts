// Fails fast, with a clear line, when the real services the tests need are not running.
import { Redis } from 'ioredis';
import { dropStaleTestDatabases, TEST_PG_ADMIN_URL, TEST_REDIS_URL } from './services.ts';

export default async function setup(): Promise<void> {
  try {
    await dropStaleTestDatabases();
  } catch (e) {
    throw new Error(`Tests need PostgreSQL at ${TEST_PG_ADMIN_URL} (set TEST_PG_ADMIN_URL): ${(e as Error).message}`);
  }
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    throw new Error(`Tests need Redis at ${TEST_REDIS_URL} (set TEST_REDIS_URL): ${(e as Error).message}`);
  } finally {
    redis.disconnect();
  }
}
