// What one web-chat visitor, one address and everyone together may do, counted in Redis so the
// limits hold however many web replicas serve /chat. Behind a reverse proxy the address is the
// resident's only when TRUST_PROXY names the proxy; otherwise every resident shares its address.
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { clientAddress } from '../../auth/client-network.ts';
import type { Limit } from '../request-limits.ts';

export interface WebChatLimitValues {
  messagesPerSession: number;
  messagesPerAddress: number;
  messagesOverall: number;
  /** Per minute, like messages. */
  actionsPerSession: number;
  /** New tickets asked for with /moi, per hour. */
  newTicketsPerSession: number;
  newTicketsPerAddress: number;
  newTicketsOverall: number;
  /** New chat sessions (cookies) per hour. */
  sessionsPerAddress: number;
  /** Live event streams open at the same time. */
  streamsPerSession: number;
  streamsPerAddress: number;
  streamsOverall: number;
}

export const defaultWebChatLimits: WebChatLimitValues = {
  messagesPerSession: 20,
  // A family or a school sharing one address, typing at once.
  messagesPerAddress: 60,
  messagesOverall: 1500,
  actionsPerSession: 30,
  newTicketsPerSession: 3,
  newTicketsPerAddress: 10,
  newTicketsOverall: 300,
  sessionsPerAddress: 30,
  streamsPerSession: 3,
  streamsPerAddress: 20,
  streamsOverall: 2000,
};

// Residents read these: no form of address (the commune's register is not known here), no codes.
const MINUTE = 60_000;
const HOUR = 3600_000;
const tooFast = 'Tin nhắn gửi hơi nhanh, xin chờ {wait} rồi gửi tiếp.';
const busy = 'Kênh hỏi đáp đang quá tải, xin thử lại sau {wait}.';
const ip = (req: FastifyRequest) => clientAddress(req.ip, true);

export function webChatLimitRules(v: WebChatLimitValues, sessionOf: (req: FastifyRequest) => string) {
  return {
    messages: [
      { name: 'chat-msg-s', max: v.messagesPerSession, windowMs: MINUTE, key: sessionOf, message: tooFast },
      { name: 'chat-msg-ip', max: v.messagesPerAddress, windowMs: MINUTE, key: ip, message: tooFast },
      { name: 'chat-msg-all', max: v.messagesOverall, windowMs: MINUTE, key: () => 'all', message: busy },
    ] satisfies Limit[],
    actions: [
      { name: 'chat-act-s', max: v.actionsPerSession, windowMs: MINUTE, key: sessionOf, message: tooFast },
      { name: 'chat-act-ip', max: v.messagesPerAddress, windowMs: MINUTE, key: ip, message: tooFast },
    ] satisfies Limit[],
    newTickets: [
      { name: 'chat-new-s', max: v.newTicketsPerSession, windowMs: HOUR, key: sessionOf, message: 'Đã mở nhiều phản ánh mới trong một giờ; xin viết tiếp vào phản ánh đang mở hoặc thử lại sau {wait}.' },
      { name: 'chat-new-ip', max: v.newTicketsPerAddress, windowMs: HOUR, key: ip, message: 'Có nhiều phản ánh mới từ cùng một mạng trong một giờ, xin thử lại sau {wait}.' },
      { name: 'chat-new-all', max: v.newTicketsOverall, windowMs: HOUR, key: () => 'all', message: busy },
    ] satisfies Limit[],
    sessions: [{ name: 'chat-sess-ip', max: v.sessionsPerAddress, windowMs: HOUR, key: ip, message: 'Có quá nhiều phiên trò chuyện mới từ cùng một mạng, xin thử lại sau {wait}.' }] satisfies Limit[],
  };
}

// Open streams are a count, not a rate: each stream is a member of a sorted set scored by when
// it stops counting; the page's ping refreshes it, so a replica that dies leaves nothing behind.
const STREAM_TTL_MS = 70_000;
const OPEN_STREAM = `
local now = tonumber(ARGV[1])
local expires = tonumber(ARGV[2])
for i = 1, #KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
  if redis.call('ZCARD', KEYS[i]) >= tonumber(ARGV[3 + i]) then return i end
end
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], expires, ARGV[3])
  redis.call('PEXPIRE', KEYS[i], ${STREAM_TTL_MS})
end
return 0`;

export interface StreamSlots {
  /** 0 when the stream may open, else which limit refused it (1 session, 2 address, 3 overall). */
  open(id: string, sessionId: string, address: string): Promise<number>;
  refresh(id: string, sessionId: string, address: string): Promise<void>;
  close(id: string, sessionId: string, address: string): Promise<void>;
}

export function streamSlots(redis: Redis, prefix: string, v: WebChatLimitValues): StreamSlots {
  const keys = (sid: string, address: string) => [`${prefix}:limit:chat-sse:s:${sid}`, `${prefix}:limit:chat-sse:ip:${address}`, `${prefix}:limit:chat-sse:all`];
  return {
    async open(id, sid, address) {
      const now = Date.now();
      return Number(await redis.eval(OPEN_STREAM, 3, ...keys(sid, address), now, now + STREAM_TTL_MS, id, v.streamsPerSession, v.streamsPerAddress, v.streamsOverall));
    },
    async refresh(id, sid, address) {
      const m = redis.multi();
      for (const k of keys(sid, address)) m.zadd(k, Date.now() + STREAM_TTL_MS, id).pexpire(k, STREAM_TTL_MS);
      await m.exec();
    },
    async close(id, sid, address) {
      const m = redis.multi();
      for (const k of keys(sid, address)) m.zrem(k, id);
      await m.exec();
    },
  };
}
