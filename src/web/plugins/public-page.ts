// GET /cong-khai — the commune's public page ("công khai"): its ticket figures for the current and
// the previous quarter, counts only (src/reports/commune-figures.ts, public audience: nothing
// personal, a confidential ticket in no village); the published answers, searchable without
// diacritics (/hoi-dap); the results of its approved, closed surveys (src/surveys/survey-public.ts:
// no typed answers, no figure resting on fewer than a few answers; older ones at /khao-sat/<id>);
// the bulletins that played, with audio to listen again (/ban-tin); and a ticket's status by its
// code (/tra-cuu: status and dates only, limited per address). One commune installed: its page at
// /cong-khai; several: /cong-khai lists them by province, each at /cong-khai/<commune code>.
// Read-only; the commune's page is kept a minute in process and sent with Cache-Control + ETag, so
// a crowd of phones costs one query. Self-contained and small (no script, no font, no image) for
// 3G-class phones; large type and high contrast for elderly readers.
import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { PrismaClient } from '../../db/generated/client.ts';
import { localDate } from '../../calendar/local-time.ts';
import { communeFigures, ON_TIME_RULE_TEXT, type CommuneFigures, type NamedFigures, type TicketFigures } from '../../reports/commune-figures.ts';
import { quarterPeriod } from '../../reports/ticket-report.ts';
import fastifyStatic from '@fastify/static';
import { AppError } from '../../errors.ts';
import { clientAddress, clientNetwork } from '../../auth/client-network.ts';
import { archivedBulletin, archivedBulletinsPage } from '../../bulletins/bulletin-archive.ts';
import { publishedFaqPage } from '../../tickets/faq-search.ts';
import { parseTicketCode } from '../../tickets/ticket-code.ts';
import { publicTicketStatus } from '../../tickets/ticket-visibility.ts';
import { enforceLimits, registerLimitStore, type LimitStore } from '../request-limits.ts';
import { escapeHtml as e, PUBLIC_PAGE_CSP, residentPage } from './resident-page.ts';
import { publicSurvey, publicSurveys } from '../../surveys/survey-public.ts';
import { archiveEntries, faqEntries, faqForm, notice, pager, PUBLIC_STYLE, publicPaths, statusForm, statusResult, surveyResultsBlock, surveySection } from './public-sections.ts';

export interface PublicPageOptions {
  prisma: PrismaClient;
  /** DATA_DIR, where rendered bulletin audio lives; without it the archive has no audio. */
  dataDir?: string;
  /** Redis for the ticket-lookup limits (every replica shares them); this process's memory without. */
  limits?: LimitStore;
  /** Ticket lookups one client address may make in 10 minutes (its network: five times as many). */
  lookupsPer10Minutes?: number;
  /** How long a rendered page is reused. */
  ttlMs?: number;
  now?: () => Date;
}

type Quarter = { year: number; quarter: 1 | 2 | 3 | 4 };

/** The quarter holding `date` (local YYYY-MM-DD), and the one before it. */
export function currentAndPreviousQuarter(date: string): [Quarter, Quarter] {
  const year = Number(date.slice(0, 4));
  const q = (Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1) as 1 | 2 | 3 | 4;
  return [{ year, quarter: q }, q === 1 ? { year: year - 1, quarter: 4 } : { year, quarter: (q - 1) as 1 | 2 | 3 }];
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

function summary(t: TicketFigures): string {
  const avg = t.avgHoursToAnswer === null ? 'chưa có' : t.avgHoursToAnswer < 48 ? `${t.avgHoursToAnswer.toLocaleString('vi-VN')} giờ` : `${(Math.round((t.avgHoursToAnswer / 24) * 10) / 10).toLocaleString('vi-VN')} ngày`;
  const rows: Array<[string, string]> = [
    ['Tiếp nhận', String(t.received)],
    ['Đã trả lời', String(t.answered)],
    ['Trả lời đúng hạn', t.due ? `${t.onTime} / ${t.due} phiếu đến hạn (${pct(t.onTimeRate)})` : 'chưa có phiếu đến hạn'],
    ['Thời gian trả lời trung bình', avg],
    ['Hài lòng', t.rated ? `${t.satisfied} / ${t.rated} lượt đánh giá` : 'chưa có đánh giá'],
  ];
  return `<dl class="so">${rows.map(([k, v]) => `<div><dt>${e(k)}</dt><dd>${e(v)}</dd></div>`).join('')}</dl><p class="ghi-chu">${e(ON_TIME_RULE_TEXT)}</p>`;
}

function table(caption: string, head: string, groups: NamedFigures[]): string {
  if (!groups.length) return '';
  const body = groups.map((g) => `<tr><th scope="row">${e(g.name)}</th><td>${g.received}</td><td>${g.answered}</td><td>${g.onTime}</td></tr>`).join('');
  return `<div class="bang"><table><caption>${e(caption)}</caption><thead><tr><th scope="col">${e(head)}</th><th scope="col">Tiếp nhận</th><th scope="col">Đã trả lời</th><th scope="col">Đúng hạn</th></tr></thead><tbody>${body}</tbody></table></div>`;
}

function quarterSection(f: CommuneFigures): string {
  const body = f.totals.received
    ? `${summary(f.totals)}${table('Theo lĩnh vực', 'Lĩnh vực', f.byField)}${table('Theo thôn', 'Thôn', f.byVillage)}`
    : `<p>${e('Chưa có phản ánh, kiến nghị nào trong quý này.')}</p>`;
  return `<section aria-labelledby="q-${f.period.from}"><h2 id="q-${f.period.from}">${e(f.period.label)}</h2>${body}</section>`;
}

function page(title: string, body: string): string {
  return residentPage(title, PUBLIC_STYLE, `${body}
<p><a href="/">Trang chủ</a></p>`);
}

type Commune = { id: string; code: string; name: string; timezone: string; ticketCodePrefix: string };

const html = 'text/html; charset=utf-8';
const LOOKUP_MESSAGE = 'Bạn tra cứu quá nhiều lần, xin thử lại sau {wait}.';

export const publicPagePlugin: FastifyPluginAsync<PublicPageOptions> = async (app, opts) => {
  const ttl = opts.ttlMs ?? 60_000;
  const now = opts.now ?? (() => new Date());
  const cache = new Map<string, { at: number; html: string; etag: string } | null>();
  const { prisma } = opts;
  // Audio is sent by @fastify/static (ranges, ETag) from DATA_DIR, only through the route below.
  if (opts.dataDir) await app.register(fastifyStatic, { root: opts.dataDir, serve: false, etag: true, acceptRanges: true, cacheControl: false });
  await registerLimitStore(app, opts.limits);
  // Ticket codes are sequential: looking them up one after another is limited per address and network.
  const lookupLimit = enforceLimits(app, [
    { name: 'ticket-lookup-ip', max: opts.lookupsPer10Minutes ?? 20, windowMs: 10 * 60_000, key: (req) => clientAddress(req.ip, true), message: LOOKUP_MESSAGE },
    { name: 'ticket-lookup-net', max: (opts.lookupsPer10Minutes ?? 20) * 5, windowMs: 10 * 60_000, key: (req) => clientNetwork(req.ip), message: LOOKUP_MESSAGE },
  ]);

  const communeByCode = (code: string): Promise<Commune | null> =>
    prisma.commune.findUnique({ where: { code: code.slice(0, 64) }, select: { id: true, code: true, name: true, timezone: true, ticketCodePrefix: true } });

  /** The listing by province (several communes), or the one commune's page. */
  async function render(code: string | null): Promise<string | null> {
    if (code === null) {
      const communes = await prisma.commune.findMany({ select: { code: true, name: true, province: { select: { name: true } } }, orderBy: { name: 'asc' } });
      if (communes.length !== 1) return listing(communes);
      code = communes[0]!.code;
    }
    const c = await communeByCode(code);
    if (!c) return null;
    const paths = publicPaths(c.code);
    const quarters = currentAndPreviousQuarter(localDate(now(), c.timezone).date);
    const sections: string[] = [];
    for (const q of quarters) sections.push(quarterSection(await communeFigures(prisma, c.id, quarterPeriod(q.year, q.quarter), 'public')));
    const faq = await publishedFaqPage(prisma, c.id, { pageSize: 5 });
    const archive = await archivedBulletinsPage(prisma, c.id, { pageSize: 3 });
    const surveys = await publicSurveys(prisma, c.id, now());
    const intro = 'Kết quả tiếp nhận, trả lời phản ánh, kiến nghị của người dân (chỉ có số liệu, không có thông tin cá nhân), kết quả khảo sát sự hài lòng, câu hỏi đã được trả lời và bản tin đã phát.';
    const nav = `<nav aria-label="${e('Mục lục')}"><ul><li><a href="#so-lieu">${e('Số liệu')}</a></li><li><a href="#khao-sat">${e('Khảo sát')}</a></li><li><a href="#hoi-dap">${e('Hỏi đáp')}</a></li><li><a href="#ban-tin">${e('Bản tin')}</a></li><li><a href="#tra-cuu">${e('Tra cứu phiếu')}</a></li></ul></nav>`;
    const more = (href: string, text: string, n: number, shown: number) => (n > shown ? `<p><a href="${href}">${e(`${text} (${n})`)}</a></p>` : '');
    return page(
      `Công khai – ${c.name}`,
      `<h1>${e(c.name)}</h1><p>${e(intro)}</p><p><a href="${paths.chat}">${e(`Gửi phản ánh, hỏi đáp với ${c.name}`)}</a></p>${nav}
<div id="so-lieu">${sections.join('\n')}</div>
<section aria-labelledby="khao-sat"><h2 id="khao-sat">${e('Kết quả khảo sát sự hài lòng')}</h2>${surveySection(paths, surveys)}</section>
<section aria-labelledby="hoi-dap"><h2 id="hoi-dap">${e('Hỏi đáp')}</h2>${faqForm(paths)}${faqEntries(faq)}${more(paths.faq, 'Xem tất cả câu hỏi', faq.total, faq.entries.length)}</section>
<section aria-labelledby="ban-tin"><h2 id="ban-tin">${e('Bản tin đã phát')}</h2>${archiveEntries(paths, archive.bulletins, false)}${more(paths.archive, 'Xem tất cả bản tin', archive.total, archive.bulletins.length)}</section>
<section aria-labelledby="tra-cuu"><h2 id="tra-cuu">${e('Tra cứu phiếu phản ánh')}</h2>${statusForm(paths, c.ticketCodePrefix)}</section>`,
    );
  }

  function listing(communes: Array<{ code: string; name: string; province: { name: string } | null }>): string {
    const title = 'Công khai kết quả tiếp nhận, trả lời phản ánh';
    if (!communes.length) return page(title, `<h1>${e(title)}</h1><p>${e('Chưa có xã nào.')}</p>`);
    const groups = new Map<string, typeof communes>();
    for (const c of communes) groups.set(c.province?.name ?? 'Xã khác', [...(groups.get(c.province?.name ?? 'Xã khác') ?? []), c]);
    const body = [...groups.entries()]
      .sort(([a], [b]) => (a === 'Xã khác' ? 1 : b === 'Xã khác' ? -1 : a.localeCompare(b, 'vi')))
      .map(([province, list]) => `<section><h2>${e(province)}</h2><ul>${list.map((c) => `<li><a href="${publicPaths(c.code).home}">${e(c.name)}</a></li>`).join('')}</ul></section>`)
      .join('');
    return page(title, `<h1>${e(title)}</h1>${body}`);
  }

  function notFound(reply: FastifyReply) {
    return reply.code(404).type(html).send(page('Không tìm thấy', `<h1>${e('Không tìm thấy xã này')}</h1><p><a href="/cong-khai">${e('Danh sách xã')}</a></p>`));
  }

  /** A page kept `ttl` in process under `key`; null from `make` is a 404 by `missing`. */
  async function serve(key: string, make: () => Promise<string | null>, request: FastifyRequest, reply: FastifyReply, missing: (reply: FastifyReply) => FastifyReply) {
    let hit = cache.get(key);
    if (hit === undefined || (hit && Date.now() - hit.at > ttl)) {
      const body = await make();
      hit = body === null ? null : { at: Date.now(), html: body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
      // Unknown codes are not remembered: a scan of made-up addresses must not grow the cache.
      if (hit) cache.set(key, hit);
    }
    if (!hit) return missing(reply);
    reply.header('cache-control', `public, max-age=${Math.round(ttl / 1000)}`).header('etag', hit.etag);
    if (request.headers['if-none-match'] === hit.etag) return reply.code(304).send();
    return reply.type(html).send(hit.html);
  }

  app.addHook('onSend', async (_req, reply) => {
    reply.header('content-security-policy', PUBLIC_PAGE_CSP);
  });

  app.get('/cong-khai', (request, reply) => serve('', () => render(null), request, reply, notFound));
  app.get<{ Params: { commune: string } }>('/cong-khai/:commune', (request, reply) => {
    const code = request.params.commune.slice(0, 64);
    return serve(code, () => render(code), request, reply, notFound);
  });

  // Searches are not kept in the page cache (a crowd of different words must not grow it).
  app.get<{ Params: { commune: string }; Querystring: { q?: string; trang?: string } }>('/cong-khai/:commune/hoi-dap', async (request, reply) => {
    const c = await communeByCode(request.params.commune);
    if (!c) return notFound(reply);
    const paths = publicPaths(c.code);
    const q = typeof request.query.q === 'string' ? request.query.q.slice(0, 200) : '';
    const faq = await publishedFaqPage(prisma, c.id, { query: q, page: Number(request.query.trang) || 1 });
    const found = faq.words.length ? `<p role="status">${e(`Tìm thấy ${faq.total} câu hỏi.`)}</p>` : '';
    reply.header('cache-control', `public, max-age=${Math.round(ttl / 1000)}`);
    return reply.type(html).send(page(`Hỏi đáp – ${c.name}`, `<p><a href="${paths.home}">${e(`← ${c.name}`)}</a></p><h1>${e('Hỏi đáp')}</h1>${faqForm(paths, q)}${found}${faqEntries(faq)}${pager(paths.faq, faq.page, faq.pages, q ? { q } : {})}`));
  });

  // A closed survey's results no longer change: kept like the commune's page, a crowd costs one query.
  app.get<{ Params: { commune: string; id: string } }>('/cong-khai/:commune/khao-sat/:id', (request, reply) => {
    const { id } = request.params;
    const code = request.params.commune.slice(0, 64);
    const make = async () => {
      const c = UUID.test(id) ? await communeByCode(code) : null;
      const s = c ? await publicSurvey(prisma, c.id, id, now()) : null;
      return c && s ? page(`${s.title} – ${c.name}`, `<p><a href="${publicPaths(c.code).home}#khao-sat">${e(`← ${c.name}`)}</a></p>${surveyResultsBlock(s, 'h1')}`) : null;
    };
    const missing = (r: FastifyReply) => r.code(404).type(html).send(page('Không tìm thấy', `<h1>${e('Không tìm thấy kết quả khảo sát này')}</h1><p><a href="/cong-khai">${e('Danh sách xã')}</a></p>`));
    return serve(`${code}/khao-sat/${id}`, make, request, reply, missing);
  });

  app.get<{ Params: { commune: string }; Querystring: { trang?: string } }>('/cong-khai/:commune/ban-tin', async (request, reply) => {
    const c = await communeByCode(request.params.commune);
    if (!c) return notFound(reply);
    const paths = publicPaths(c.code);
    const archive = await archivedBulletinsPage(prisma, c.id, { page: Number(request.query.trang) || 1 });
    reply.header('cache-control', `public, max-age=${Math.round(ttl / 1000)}`);
    return reply.type(html).send(page(`Bản tin đã phát – ${c.name}`, `<p><a href="${paths.home}">${e(`← ${c.name}`)}</a></p><h1>${e('Bản tin đã phát')}</h1>${archiveEntries(paths, archive.bulletins, true)}${pager(paths.archive, archive.page, archive.pages)}`));
  });

  app.get<{ Params: { commune: string; id: string } }>('/cong-khai/:commune/ban-tin/:id/am-thanh', async (request, reply) => {
    const c = await communeByCode(request.params.commune);
    const id = request.params.id;
    const b = c && UUID.test(id) ? await archivedBulletin(prisma, c.id, id) : undefined;
    const file = b?.audioSha256 && opts.dataDir ? await prisma.mediaFile.findUnique({ where: { sha256: b.audioSha256 } }) : null;
    if (!file) return reply.code(404).type('text/plain; charset=utf-8').send('Không có âm thanh của bản tin này.');
    // The file under a hash never changes: phones and proxies may keep it.
    reply.header('cache-control', 'public, max-age=604800, immutable');
    reply.type(file.mime);
    return reply.sendFile(file.path, { contentType: false });
  });

  app.get<{ Params: { commune: string }; Querystring: { ma?: string } }>('/cong-khai/:commune/tra-cuu', async (request, reply) => {
    const c = await communeByCode(request.params.commune);
    if (!c) return notFound(reply);
    const paths = publicPaths(c.code);
    reply.header('cache-control', 'no-store');
    const given = typeof request.query.ma === 'string' ? request.query.ma.slice(0, 40) : '';
    const back = `<p><a href="${paths.home}">${e(`← ${c.name}`)}</a></p><h1>${e('Tra cứu phiếu phản ánh')}</h1>`;
    const show = (status: number, body: string) => reply.code(status).type(html).send(page(`Tra cứu phiếu – ${c.name}`, `${back}${statusForm(paths, c.ticketCodePrefix, given)}${body}`));
    if (!given.trim()) return show(200, '');
    try {
      await lookupLimit(request, reply);
    } catch (err) {
      if (err instanceof AppError && err.code === 'RATE_LIMITED') return show(429, notice(err.userMessage));
      throw err;
    }
    const code = parseTicketCode(given, c.ticketCodePrefix);
    if (!code) return show(400, notice(`Mã phiếu chưa đúng dạng. Mã phiếu có dạng ${c.ticketCodePrefix}-2026-123, ghi trong tin nhắn xác nhận xã đã gửi.`));
    const t = await prisma.ticket.findFirst({ where: { code, communeId: c.id }, select: { code: true, status: true, confidential: true, createdAt: true, answeredAt: true, closedAt: true } });
    if (!t) return show(404, notice(`Không tìm thấy phiếu ${code} của ${c.name}. Xin kiểm tra lại mã trong tin nhắn xác nhận.`));
    return show(200, statusResult(publicTicketStatus(t)));
  });
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
