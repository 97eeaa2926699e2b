// How often a username may be tried. Counting happens in PostgreSQL, in one INSERT … ON CONFLICT
// DO UPDATE per key, before the password is checked: parallel requests and every web replica
// meet at the same row, so a burst of 100 counts 100 and only the attempts within the limit are
// checked at all.
//
// The choice (issue 14, finding 4): two keys, neither a hard lock of the account.
// - username × client (IPv4 address, IPv6 /64): 5 attempts, then a wait that doubles from 30 s up
//   to 15 min. The attacker's device is slowed to a crawl; the real user on another device is not.
// - username alone, whatever the client: 20 attempts, then a wait doubling from 5 s up to 60 s.
//   An attack spread over many addresses gets about one guess a minute, and the real user waits
//   at most a minute, never a quarter of an hour.
// Only attempts the per-client key lets through count toward the username key, so one address
// cannot keep the account slowed for everyone. Unknown usernames are counted the same way (the
// key is the typed username), so lockout reveals nothing about which accounts exist. Keys are
// hashes: what strangers type in the username field is not stored.
import { createHash } from 'node:crypto';
import type { PrismaClient } from '../db/generated/client.ts';
import { clientAddress } from './client-network.ts';

interface Rule {
  free: number;
  baseSeconds: number;
  maxSeconds: number;
}
const PER_CLIENT: Rule = { free: 5, baseSeconds: 30, maxSeconds: 15 * 60 };
const PER_ACCOUNT: Rule = { free: 20, baseSeconds: 5, maxSeconds: 60 };

const keyOf = (s: string) => createHash('sha256').update(s).digest('hex');

function keys(username: string, ip: string | undefined) {
  return { client: keyOf(`client:${username}|${clientAddress(ip, true)}`), account: keyOf(`account:${username}`) };
}

/** Counts one attempt on a key; whether it may go on, and until when the key is blocked. */
async function count(prisma: PrismaClient, key: string, rule: Rule, now: Date): Promise<{ allowed: boolean; blockedUntil: Date | null }> {
  const open = `("LoginThrottle"."blockedUntil" IS NULL OR "LoginThrottle"."blockedUntil" <= $2::timestamptz)`;
  const rows = await prisma.$queryRawUnsafe<Array<{ lastAllowed: boolean; blockedUntil: Date | null }>>(
    `INSERT INTO "LoginThrottle" ("key", "attempts", "failures", "blockedUntil", "lastAllowed", "updatedAt")
     VALUES ($1, 1, 1, CASE WHEN 1 >= $3::int THEN $2::timestamptz + make_interval(secs => $4::float8) END, true, $2::timestamptz)
     ON CONFLICT ("key") DO UPDATE SET
       "attempts" = "LoginThrottle"."attempts" + 1,
       "lastAllowed" = ${open},
       "failures" = CASE WHEN ${open} THEN "LoginThrottle"."failures" + 1 ELSE "LoginThrottle"."failures" END,
       "blockedUntil" = CASE
         WHEN ${open} AND "LoginThrottle"."failures" + 1 >= $3::int
           THEN $2::timestamptz + make_interval(secs => LEAST($4::float8 * power(2, LEAST("LoginThrottle"."failures" + 1 - $3::int, 20)), $5::float8))
         WHEN ${open} THEN NULL
         ELSE "LoginThrottle"."blockedUntil" END,
       "updatedAt" = $2::timestamptz
     RETURNING "lastAllowed", "blockedUntil"`,
    key,
    now,
    rule.free,
    rule.baseSeconds,
    rule.maxSeconds,
  );
  return { allowed: rows[0]!.lastAllowed, blockedUntil: rows[0]!.blockedUntil };
}

export type AttemptVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Counts an attempt before the password is checked; refuses it when a key is blocked. */
export async function countSignInAttempt(prisma: PrismaClient, username: string, ip: string | undefined, now: Date): Promise<AttemptVerdict> {
  const k = keys(username, ip);
  const wait = (until: Date | null) => ({ allowed: false as const, retryAfterSeconds: Math.max(1, Math.ceil(((until?.getTime() ?? now.getTime()) - now.getTime()) / 1000)) });
  const client = await count(prisma, k.client, PER_CLIENT, now);
  if (!client.allowed) return wait(client.blockedUntil);
  const account = await count(prisma, k.account, PER_ACCOUNT, now);
  if (!account.allowed) return wait(account.blockedUntil);
  return { allowed: true };
}

/** A successful sign-in: the user's own device and the account start afresh. */
export async function clearSignInAttempts(prisma: PrismaClient, username: string, ip: string | undefined, now: Date): Promise<void> {
  const k = keys(username, ip);
  await prisma.loginThrottle.updateMany({ where: { key: { in: [k.client, k.account] } }, data: { failures: 0, blockedUntil: null, updatedAt: now } });
}

/** Rows untouched for a day and not blocked any more carry nothing worth keeping. */
export async function purgeSignInAttempts(prisma: PrismaClient, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - 24 * 3600_000);
  const { count: n } = await prisma.loginThrottle.deleteMany({ where: { updatedAt: { lt: before }, OR: [{ blockedUntil: null }, { blockedUntil: { lt: now } }] } });
  return n;
}

/** "45 giây", "3 phút": how long to wait, as the login page says it. */
export function waitText(seconds: number): string {
  return seconds < 120 ? `${seconds} giây` : `${Math.ceil(seconds / 60)} phút`;
}
