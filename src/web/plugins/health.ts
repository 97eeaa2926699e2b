// GET /healthz — for load balancers, docker-compose and the operator. 200 while every critical
// dependency is ok, 503 otherwise; one field per dependency so a glance says which one is wrong.
import type { FastifyPluginAsync } from 'fastify';
import type { HealthRegistry } from '../../health/health-registry.ts';

export interface HealthPluginOptions {
  health: HealthRegistry;
}

const dependencySchema = {
  type: 'object',
  required: ['status', 'latencyMs', 'critical'],
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded', 'down', 'off'] },
    detail: { type: 'string' },
    kind: { type: 'string' },
    latencyMs: { type: 'integer' },
    critical: { type: 'boolean' },
  },
} as const;

const reportSchema = {
  type: 'object',
  required: ['status', 'checkedAt'],
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded', 'down'] },
    checkedAt: { type: 'string' },
  },
  // Every other field is a dependency (database, redis, telegram, zalo, …).
  additionalProperties: dependencySchema,
} as const;

export const healthPlugin: FastifyPluginAsync<HealthPluginOptions> = async (app, opts) => {
  app.get(
    '/healthz',
    {
      schema: { response: { 200: reportSchema, 503: reportSchema } },
      config: { quietLog: true },
    },
    async (_request, reply) => {
      const report = await opts.health.run();
      return reply
        .code(report.healthy ? 200 : 503)
        .header('cache-control', 'no-store')
        .send({ status: report.status, checkedAt: report.checkedAt, ...report.dependencies });
    },
  );
};
