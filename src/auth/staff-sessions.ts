// Staff sign-in for the web admin and the HTTP API: argon2 passwords, attempts counted and
// slowed (sign-in-throttle.ts), random session tokens of which only a hash is stored, a CSRF
// token per session for cookie use, and API keys (hash only) for upstream (province) systems sending bulletins.
import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient, Staff } from '../db/generated/client.ts';
import { AppError } from '../errors.ts';
import { verifyPassword } from './password.ts';
import { clearSignInAttempts, countSignInAttempt, waitText } from './sign-in-throttle.ts';

const SESSION_HOURS = 12;
// An argon2id hash of a random string, with the same parameters as real ones (password.ts).
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$ERD0NufjNXXEKnCNMZC3Pw$noKUPbMkTg2+er3Lrcp8VfTCcga/6rrm2l9jp8h+X0c';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export interface SignedIn {
  token: string;
  csrfToken: string;
  expiresAt: Date;
  staff: { id: string; username: string; displayName: string; roles: string[]; communeId: string | null; mustChangePassword: boolean } & Pick<Staff, 'provinceId' | 'provinceRoles' | 'active'>;
}

export async function signIn(prisma: PrismaClient, p: { username: string; password: string; ip?: string; userAgent?: string }, now = new Date()): Promise<SignedIn> {
  // One answer for unknown user and wrong password: the login form must not reveal who exists.
  const wrong = new AppError('UNAUTHENTICATED', 'Tên đăng nhập hoặc mật khẩu không đúng.');
  const username = p.username.trim().toLowerCase();
  // Counted before anything is checked, so a burst in parallel cannot slip past the limit.
  const verdict = await countSignInAttempt(prisma, username, p.ip, now);
  if (!verdict.allowed) throw new AppError('RATE_LIMITED', `Đăng nhập sai nhiều lần nên tạm khóa, xin thử lại sau ${waitText(verdict.retryAfterSeconds)}.`, { retryAfterSeconds: verdict.retryAfterSeconds });
  const staff = await prisma.staff.findUnique({ where: { username } });
  const usable = staff && staff.active && staff.passwordHash ? staff : undefined;
  // The hash runs for unknown users too (against a dummy), so the answer takes as long.
  const matches = await verifyPassword(usable?.passwordHash ?? DUMMY_HASH, p.password);
  // Nothing more is written for a known account than for an unknown one: timing stays alike.
  if (!usable || !matches) throw wrong;
  await clearSignInAttempts(prisma, username, p.ip, now);
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000);
  await prisma.$transaction([
    prisma.staffSession.create({ data: { staffId: usable.id, tokenHash: sha256(token), csrfToken, expiresAt, ip: p.ip ?? null, userAgent: p.userAgent?.slice(0, 300) ?? null } }),
    prisma.staff.update({ where: { id: usable.id }, data: { lastLoginAt: now } }),
    prisma.auditLog.create({ data: { communeId: usable.communeId, actorKind: 'staff', actorStaffId: usable.id, action: 'staff.sign_in', entityType: 'Staff', entityId: usable.id, ip: p.ip ?? null } }),
  ]);
  return { token, csrfToken, expiresAt, staff: { id: usable.id, username: usable.username, displayName: usable.displayName, roles: usable.roles, communeId: usable.communeId, mustChangePassword: usable.mustChangePassword, provinceId: usable.provinceId, provinceRoles: usable.provinceRoles, active: usable.active } };
}

export interface SessionActor {
  kind: 'staff';
  staffId: string;
  csrfToken: string;
  sessionId: string;
  /** A first (or reset) password still to be changed: the session may do nothing else. */
  mustChangePassword: boolean;
}

export interface ApiKeyActor {
  kind: 'api';
  apiKeyId: string;
  /** The commune it was issued to: where bulletins it sends land. */
  communeId: string;
  /** A province's key reads every commune of that province; null: its commune only. */
  provinceId: string | null;
  name: string;
}

/** How long a session may sit unused before it ends (SESSION_IDLE_MINUTES). */
export const DEFAULT_IDLE_MINUTES = 60;

export async function sessionFromToken(prisma: PrismaClient, token: string, now = new Date(), idleMinutes = DEFAULT_IDLE_MINUTES): Promise<SessionActor | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
  const s = await prisma.staffSession.findUnique({ where: { tokenHash: sha256(token) }, include: { staff: true } });
  if (!s || s.expiresAt < now || !s.staff.active) return undefined;
  // Left open on a shared office computer: after the idle time the session is gone for good.
  if (now.getTime() - s.lastSeenAt.getTime() > idleMinutes * 60_000) {
    await prisma.staffSession.deleteMany({ where: { id: s.id } });
    return undefined;
  }
  // Touch at most once a minute: a busy page must not write on every request.
  if (now.getTime() - s.lastSeenAt.getTime() > 60_000) await prisma.staffSession.update({ where: { id: s.id }, data: { lastSeenAt: now } });
  return { kind: 'staff', staffId: s.staffId, csrfToken: s.csrfToken, sessionId: s.id, mustChangePassword: s.staff.mustChangePassword };
}

/** A person's own open sessions, newest use first (where and on what they signed in). */
export async function listOwnSessions(prisma: PrismaClient, staffId: string, now = new Date()) {
  return prisma.staffSession.findMany({ where: { staffId, expiresAt: { gt: now } }, orderBy: { lastSeenAt: 'desc' }, select: { id: true, ip: true, userAgent: true, createdAt: true, lastSeenAt: true } });
}

/** Ends one of a person's own sessions (a lost phone, a shared computer); never someone else's. */
export async function revokeOwnSession(prisma: PrismaClient, p: { staffId: string; sessionId: string; ip?: string }): Promise<boolean> {
  const staff = await prisma.staff.findUniqueOrThrow({ where: { id: p.staffId } });
  const { count } = await prisma.staffSession.deleteMany({ where: { id: p.sessionId, staffId: p.staffId } });
  if (count) await prisma.auditLog.create({ data: { communeId: staff.communeId, actorKind: 'staff', actorStaffId: staff.id, action: 'staff.session_revoked', entityType: 'StaffSession', entityId: p.sessionId, ip: p.ip ?? null } });
  return count > 0;
}

export async function signOut(prisma: PrismaClient, sessionId: string): Promise<void> {
  await prisma.staffSession.deleteMany({ where: { id: sessionId } });
}

/**
 * A new key for a higher-level source; the key itself is shown once and never stored. With
 * `province`, the key is the province's (it reads every commune of the province where its commune is).
 */
export async function createApiKey(prisma: PrismaClient, p: { communeId: string; name: string; province?: boolean }): Promise<{ id: string; key: string }> {
  const key = `lx_${randomBytes(24).toString('base64url')}`;
  let provinceId: string | null = null;
  if (p.province) {
    provinceId = (await prisma.commune.findUniqueOrThrow({ where: { id: p.communeId }, select: { provinceId: true } })).provinceId;
    if (!provinceId) throw new AppError('VALIDATION', 'Xã này chưa thuộc tỉnh nào: không tạo được khóa API cấp tỉnh.', { field: 'province' });
  }
  const row = await prisma.apiKey.create({ data: { communeId: p.communeId, provinceId, name: p.name, keyHash: sha256(key), keyPrefix: key.slice(0, 8) } });
  return { id: row.id, key };
}

export async function apiKeyActor(prisma: PrismaClient, key: string, now = new Date()): Promise<ApiKeyActor | undefined> {
  if (!/^lx_[A-Za-z0-9_-]{20,80}$/.test(key)) return undefined;
  const row = await prisma.apiKey.findUnique({ where: { keyHash: sha256(key) } });
  if (!row || row.revokedAt) return undefined;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) await prisma.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  return { kind: 'api', apiKeyId: row.id, communeId: row.communeId, provinceId: row.provinceId, name: row.name };
}

/** The communes a key reads: its commune's, or every commune of its province. */
export async function apiKeyCommunes(prisma: PrismaClient, key: Pick<ApiKeyActor, 'communeId' | 'provinceId'>): Promise<string[]> {
  if (!key.provinceId) return [key.communeId];
  return (await prisma.commune.findMany({ where: { provinceId: key.provinceId }, select: { id: true } })).map((c) => c.id);
}
