// Sign-in limits per client address and per network (IPv4 /24, IPv6 /64), shared by the web
// admin's form and the API's login so alternating between them gains nothing. They sit in front
// of the per-username counting (src/auth/sign-in-throttle.ts): this stops one source from trying
// many usernames; that one stops many sources from trying one.
import { clientAddress, clientNetwork } from '../auth/client-network.ts';
import type { Limit } from './request-limits.ts';

const TEN_MINUTES = 10 * 60_000;
const message = 'Có quá nhiều lần đăng nhập từ mạng của bạn, xin thử lại sau {wait}.';

export const loginLimits: Limit[] = [
  // A commune office behind one NAT: a dozen cadres signing in, with typos, stay well under.
  { name: 'login-ip', max: 30, windowMs: TEN_MINUTES, key: (req) => clientAddress(req.ip), message },
  { name: 'login-net', max: 100, windowMs: TEN_MINUTES, key: (req) => clientNetwork(req.ip), message },
];
