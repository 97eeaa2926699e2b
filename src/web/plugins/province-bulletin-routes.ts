// The HTTP API for province bulletins: a province editor writes one (POST) and its recordings, a province approver
// approves, rejects or withdraws it, everyone lists what concerns them, and a commune's approver declines a
// normal one for their commune within the province's window, with a reason. Rules and texts live in src/province.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { PrismaClient } from '../../db/generated/client.ts';
import type { Enqueue } from '../../tickets/ticket-deps.ts';
import { createProvinceBulletin } from '../../province/create-province-bulletin.ts';
import { approveProvinceBulletin } from '../../province/approve-province-bulletin.ts';
import { rejectProvinceBulletin } from '../../province/reject-province-bulletin.ts';
import { withdrawProvinceBulletin } from '../../province/withdraw-province-bulletin.ts';
import { declineProvinceBulletin } from '../../province/decline-province-bulletin.ts';
import { listProvinceBulletins } from '../../province/list-province-bulletins.ts';
import { removeDeclineButtons } from '../../province/province-decline-admin-chat.ts';
import { attachProvinceRecording, checkRecordingEditable } from '../../province/province-bulletin-recording.ts';
import { languageParams, receiveAudioUpload, type BulletinAudioOptions } from './bulletin-audio-routes.ts';

const idParams = z.object({ id: z.uuid() });
// Lengths are checked once more by the domain (validateBulletinText) with its Vietnamese texts.
const createBody = z
  .object({
    title: z.string().max(1000),
    text: z.string().max(100_000),
    class: z.enum(['normal', 'priority', 'emergency']).optional(),
    language: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/).optional(),
    communeIds: z.array(z.uuid()).max(500).optional(),
    villageIds: z.array(z.uuid()).max(5000).optional(),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

export function registerProvinceBulletinRoutes(
  api: FastifyInstance,
  deps: { prisma: PrismaClient; enqueue: Enqueue; audio?: BulletinAudioOptions | undefined; parse: <T>(schema: z.ZodType<T>, value: unknown) => T; staffOnly(req: FastifyRequest): { staffId: string; ip: string } },
): void {
  const { prisma, parse } = deps;

  api.get('/api/v1/province-bulletins', async (req) => listProvinceBulletins(prisma, { staffId: deps.staffOnly(req).staffId }));

  api.post('/api/v1/province-bulletins', { bodyLimit: 256 * 1024 }, async (req, reply) => {
    const actor = deps.staffOnly(req);
    const b = parse(createBody, req.body);
    const provinceBulletin = await createProvinceBulletin(prisma, {
      actor,
      title: b.title,
      text: b.text,
      ...(b.class ? { class: b.class } : {}),
      ...(b.language ? { language: b.language } : {}),
      ...(b.communeIds ? { communeIds: b.communeIds } : {}),
      ...(b.villageIds ? { villageIds: b.villageIds } : {}),
      ...(b.expiresAt ? { expiresAt: new Date(b.expiresAt) } : {}),
    });
    reply.code(201);
    return { provinceBulletin };
  });

  api.post('/api/v1/province-bulletins/:id/approve', async (req) => {
    const body = parse(z.object({ comment: z.string().max(1000).optional() }).optional(), req.body ?? undefined);
    return approveProvinceBulletin({ prisma, enqueue: deps.enqueue }, { actor: deps.staffOnly(req), provinceBulletinId: parse(idParams, req.params).id, ...(body?.comment ? { comment: body.comment } : {}) });
  });

  api.post('/api/v1/province-bulletins/:id/reject', async (req) => {
    const body = parse(z.object({ comment: z.string().max(1000) }), req.body);
    return { provinceBulletin: await rejectProvinceBulletin(prisma, { actor: deps.staffOnly(req), provinceBulletinId: parse(idParams, req.params).id, comment: body.comment }) };
  });

  api.post('/api/v1/province-bulletins/:id/withdraw', async (req) => withdrawProvinceBulletin({ prisma, enqueue: deps.enqueue }, { actor: deps.staffOnly(req), provinceBulletinId: parse(idParams, req.params).id }));

  // A recording per language, uploaded by the province editor before approval (streamed, checked, stored by hash).
  const audio = deps.audio;
  if (audio) {
    api.put('/api/v1/province-bulletins/:id/recordings/:language', async (req) => {
      const { id, language } = parse(languageParams, req.params);
      const actor = deps.staffOnly(req);
      await checkRecordingEditable(prisma, actor.staffId, id);
      const { stored, checked, attached } = await receiveAudioUpload(prisma, audio, req, (s) => attachProvinceRecording(prisma, { actor, provinceBulletinId: id, language, audioSha256: s.sha256 }));
      return { recording: { language: attached.language, audioSha256: stored.sha256, bytes: stored.size, durationMs: checked.durationMs }, warnings: checked.warnings };
    });
  }

  api.post('/api/v1/province-bulletins/:id/decline', async (req) => {
    const body = parse(z.object({ reason: z.string().max(1000).optional() }).optional(), req.body ?? undefined);
    const decline = await declineProvinceBulletin(prisma, { actor: deps.staffOnly(req), provinceBulletinId: parse(idParams, req.params).id, ...(body?.reason ? { reason: body.reason } : {}) });
    for (const e of await removeDeclineButtons(prisma, decline.bulletinId)) await deps.enqueue(e.def, e.data as never, e.jobId ? { jobId: e.jobId } : undefined);
    return { decline: { status: decline.status, declinedAt: decline.declinedAt } };
  });
}
