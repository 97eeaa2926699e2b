// The HTTP skeleton through inject(): request ids, the one error shape, the home page.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { AppError, errorCodes } from '../../src/errors.ts';
import { databaseCheck } from '../../src/health/checks.ts';
import { HealthRegistry } from '../../src/health/health-registry.ts';
import { buildApp } from '../../src/web/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/services.ts';
import { captureLog, migrateForTest } from './web-fixtures.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let testDb: TestDatabase;
let db: Database;
let app: FastifyInstance;
const captured = captureLog();

beforeAll(async () => {
  testDb = await createTestDatabase('web_http');
  db = await openDatabase({ databaseUrl: testDb.url, dataDir: '/nonexistent' });
  await migrateForTest(db.sql);
  const health = new HealthRegistry().register('database', databaseCheck(db), { critical: true });
  app = await buildApp({ log: captured.log, db, health, queueDepths: async () => ({}) });

  // Test-only routes, registered the way a feature would add its own.
  await app.register(async (scope) => {
    scope.post(
      '/test/echo',
      {
        bodyLimit: 200,
        schema: {
          body: {
            type: 'object',
            required: ['name', 'village'],
            properties: { name: { type: 'string', minLength: 1 }, village: { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } } },
          },
          response: { 200: { type: 'object', properties: { name: { type: 'string' } } } },
        },
      },
      async (request) => request.body,
    );
    scope.get('/test/boom', { schema: {} }, async () => {
      throw new Error('connect to postgresql://u:secret@db.internal:5432 failed');
    });
    scope.get('/test/forbidden', { schema: {} }, async () => {
      throw new AppError('FORBIDDEN');
    });
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await db?.close();
  await testDb?.drop();
});

describe('request id', () => {
  it('echoes a safe incoming x-request-id and binds it to every log line of the request', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'lb-Abc_123' } });
    expect(res.headers['x-request-id']).toBe('lb-Abc_123');
    const lines = captured.lines().filter((l) => l['reqId'] === 'lb-Abc_123');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.some((l) => l['msg'] === 'đã trả lời' && l['statusCode'] === 200)).toBe(true);
  });

  it('generates a UUID when none is given or the given one is unsafe', async () => {
    const none = await app.inject({ method: 'GET', url: '/' });
    expect(none.headers['x-request-id']).toMatch(UUID);
    for (const bad of ['a'.repeat(65), 'has space', 'semi;colon', '"quoted"', '']) {
      const res = await app.inject({ method: 'GET', url: '/', headers: { 'x-request-id': bad } });
      expect(res.headers['x-request-id']).toMatch(UUID);
    }
    const max = 'x'.repeat(64);
    expect((await app.inject({ method: 'GET', url: '/', headers: { 'x-request-id': max } })).headers['x-request-id']).toBe(max);
  });
});

describe('errors', () => {
  it('answers an unknown path with 404 NOT_FOUND as JSON, with a request id', async () => {
    const res = await app.inject({ method: 'GET', url: '/khong-co?q=1' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: errorCodes.NOT_FOUND.message } });
    expect(res.headers['x-request-id']).toMatch(UUID);
  });

  it('hides an unexpected error behind 500 INTERNAL and logs it with the request id', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/boom', headers: { 'x-request-id': 'boom-1' } });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'INTERNAL', message: errorCodes.INTERNAL.message } });
    expect(res.body).not.toContain('secret');
    expect(res.headers['x-request-id']).toBe('boom-1');
    const logged = captured.lines().find((l) => l['reqId'] === 'boom-1' && l['level'] === 50);
    expect((logged?.['err'] as { message?: string } | undefined)?.message).toContain('db.internal');
  });

  it('maps an AppError to its status and Vietnamese message', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/forbidden' });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error: { code: 'FORBIDDEN', message: errorCodes.FORBIDDEN.message } });
  });

  it('answers a schema violation with 400 VALIDATION and the field path', async () => {
    const missing = await app.inject({ method: 'POST', url: '/test/echo', payload: { village: { id: 1 } } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toEqual({ error: { code: 'VALIDATION', message: errorCodes.VALIDATION.message, field: 'body.name' } });

    const nested = await app.inject({ method: 'POST', url: '/test/echo', payload: { name: 'An', village: { id: 'x' } } });
    expect(nested.statusCode).toBe(400);
    expect(nested.json().error.field).toBe('body.village.id');

    const good = await app.inject({ method: 'POST', url: '/test/echo', payload: { name: 'An', village: { id: 2 } } });
    expect(good.statusCode).toBe(200);
    expect(good.json()).toEqual({ name: 'An' });
  });

  it('answers malformed and empty JSON with 400 VALIDATION', async () => {
    const bad = await app.inject({ method: 'POST', url: '/test/echo', headers: { 'content-type': 'application/json' }, payload: '{"name": ' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION');
    expect(bad.json().error.message).toMatch(/JSON/);
    const empty = await app.inject({ method: 'POST', url: '/test/echo', headers: { 'content-type': 'application/json' }, payload: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.code).toBe('VALIDATION');
  });

  it('answers a body over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await app.inject({ method: 'POST', url: '/test/echo', payload: { name: 'x'.repeat(500), village: { id: 1 } } });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: errorCodes.PAYLOAD_TOO_LARGE.message } });
  });

  it('answers an unsupported content type with 415 and a stable code', async () => {
    const res = await app.inject({ method: 'POST', url: '/test/echo', headers: { 'content-type': 'application/x-unknown' }, payload: 'x' });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('VALIDATION');
  });
});

describe('home page', () => {
  it('is the residents’ small self-contained Vietnamese front door', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.body).toContain('<html lang="vi">');
    expect(res.body).toContain('name="viewport"');
    expect(res.body).toContain('Loa Xã');
    expect(res.body).toContain('href="/chat"');
    expect(res.body).toContain('href="/cong-khai"');
    expect(res.body).toContain('Cán bộ đăng nhập');
    expect(res.body).not.toContain('/healthz');
    expect(res.body).not.toContain('/metrics');
    expect(res.body).not.toMatch(/(src|href)="https?:/);
  });
});
