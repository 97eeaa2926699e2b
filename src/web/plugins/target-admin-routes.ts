// The HTTP API over src/targets/target-admin.ts: loudspeaker clusters and groups, for the
// commune's admins only.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { PrismaClient } from '../../db/generated/client.ts';
import { requireCommuneAdmin } from '../../auth/commune-admin.ts';
import { createEndpoint, endpointInput, targetInput, updateEndpoint, updateTarget } from '../../targets/target-admin.ts';

const idParams = z.object({ id: z.uuid() });

export function registerTargetAdminRoutes(
  api: FastifyInstance,
  deps: { prisma: PrismaClient; encryptionKey?: Buffer | undefined; parse: <T>(schema: z.ZodType<T>, value: unknown) => T; staffOnly(req: FastifyRequest): { staffId: string; ip: string } },
): void {
  const { prisma, parse } = deps;
  const adminOf = async (req: FastifyRequest) => ({
    prisma,
    encryptionKey: deps.encryptionKey,
    ip: req.ip,
    staff: await requireCommuneAdmin(prisma, deps.staffOnly(req).staffId, 'Chỉ quản trị của xã mới sửa được cụm loa và nhóm nhận bản tin.'),
  });

  api.post('/api/v1/endpoints', async (req, reply) => {
    const c = await adminOf(req);
    const endpoint = await createEndpoint(c, parse(endpointInput, req.body));
    reply.code(201);
    return { endpoint };
  });

  api.patch('/api/v1/endpoints/:id', async (req) => {
    const c = await adminOf(req);
    const { id } = parse(idParams, req.params);
    return { endpoint: await updateEndpoint(c, id, parse(endpointInput.partial(), req.body)) };
  });

  api.patch('/api/v1/targets/:id', async (req) => {
    const c = await adminOf(req);
    const { id } = parse(idParams, req.params);
    return { target: await updateTarget(c, id, parse(targetInput, req.body)) };
  });
}
