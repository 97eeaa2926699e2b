// A signed-in session for a staff member without going through the login form (whose rate limits
// and slowdowns are tested elsewhere): the session row as sign-in writes it, and the headers a
// browser (cookie + CSRF field) or an API client (Bearer) sends with it.
import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../src/db/generated/client.ts';

export interface TestSession {
  token: string;
  csrf: string;
  cookie: string;
}

export async function sessionFor(prisma: PrismaClient, staffId: string): Promise<TestSession> {
  const token = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  await prisma.staff.update({ where: { id: staffId }, data: { mustChangePassword: false } });
  await prisma.staffSession.create({
    data: { staffId, tokenHash: createHash('sha256').update(token).digest('hex'), csrfToken: csrf, expiresAt: new Date(Date.now() + 3600_000) },
  });
  return { token, csrf, cookie: `lx_session=${token}` };
}

/** A url-encoded form body with the session's CSRF token. */
export function form(s: TestSession | undefined, fields: Record<string, string | string[]> = {}): string {
  const p = new URLSearchParams();
  if (s) p.set('csrf', s.csrf);
  for (const [k, v] of Object.entries(fields)) for (const one of ([] as string[]).concat(v)) p.append(k, one);
  return p.toString();
}
