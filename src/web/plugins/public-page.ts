// GET /cong-khai — the commune's public page ("công khai"): its ticket figures for the current and
// the previous quarter, counts only (src/reports/commune-figures.ts, public audience: nothing
// personal, a confidential ticket in no village). One commune installed: its page at /cong-khai;
// several: /cong-khai lists them, each at /cong-khai/<commune code>. Read-only; rendered pages are
// kept a minute in process and sent with Cache-Control + ETag, so a crowd of phones costs one query.
// Self-contained and small (no script, no font, no image) for 3G-class phones; large type and
// high contrast for elderly readers.
import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { PrismaClient } from '../../db/generated/client.ts';
import { localDate } from '../../calendar/local-time.ts';
import { communeFigures, ON_TIME_RULE_TEXT, type CommuneFigures, type NamedFigures, type TicketFigures } from '../../reports/commune-figures.ts';
import { quarterPeriod } from '../../reports/ticket-report.ts';
import { escapeHtml as e, residentPage, RESIDENT_PAGE_CSP } from './resident-page.ts';

export interface PublicPageOptions {
  prisma: PrismaClient;
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
  return `<table><caption>${e(caption)}</caption><thead><tr><th scope="col">${e(head)}</th><th scope="col">Tiếp nhận</th><th scope="col">Đã trả lời</th><th scope="col">Đúng hạn</th></tr></thead><tbody>${body}</tbody></table>`;
}

function quarterSection(f: CommuneFigures): string {
  const body = f.totals.received
    ? `${summary(f.totals)}${table('Theo lĩnh vực', 'Lĩnh vực', f.byField)}${table('Theo thôn', 'Thôn', f.byVillage)}`
    : `<p>${e('Chưa có phản ánh, kiến nghị nào trong quý này.')}</p>`;
  return `<section aria-labelledby="q-${f.period.from}"><h2 id="q-${f.period.from}">${e(f.period.label)}</h2>${body}</section>`;
}

const STYLE = `body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:1rem;font-size:1.25rem;line-height:1.6;color:#111;background:#fff}
main{max-width:40rem;margin:0 auto}h1{color:#8b0000;font-size:1.8rem;margin:.2rem 0}h2{font-size:1.5rem;border-bottom:3px solid #8b0000;margin-top:2rem}
a{color:#003d7a}.so{margin:0}.so div{display:flex;justify-content:space-between;gap:1rem;border-bottom:1px solid #999;padding:.3rem 0}.so dd{margin:0;font-weight:700}
table{width:100%;border-collapse:collapse;margin-top:1rem}caption{text-align:left;font-weight:700}th,td{border-bottom:1px solid #999;padding:.3rem;text-align:right}th[scope=row],th:first-child{text-align:left}`;

function page(title: string, body: string): string {
  return residentPage(title, STYLE, `${body}
<p><a href="/">Trang chủ</a></p>`);
}

export const publicPagePlugin: FastifyPluginAsync<PublicPageOptions> = async (app, opts) => {
  const ttl = opts.ttlMs ?? 60_000;
  const now = opts.now ?? (() => new Date());
  const cache = new Map<string, { at: number; html: string; etag: string } | null>();

  async function render(code: string | null): Promise<string | null> {
    const communes = await opts.prisma.commune.findMany({ select: { id: true, code: true, name: true, timezone: true }, orderBy: { name: 'asc' } });
    const chosen = code === null ? (communes.length === 1 ? communes[0] : undefined) : communes.find((c) => c.code === code);
    if (code === null && !chosen) {
      const items = communes.map((c) => `<li><a href="/cong-khai/${encodeURIComponent(c.code)}">${e(c.name)}</a></li>`).join('');
      return page('Công khai kết quả tiếp nhận, trả lời phản ánh', `<h1>${e('Công khai kết quả tiếp nhận, trả lời phản ánh')}</h1>${communes.length ? `<ul>${items}</ul>` : `<p>${e('Chưa có xã nào.')}</p>`}`);
    }
    if (!chosen) return null;
    const quarters = currentAndPreviousQuarter(localDate(now(), chosen.timezone).date);
    const sections: string[] = [];
    for (const q of quarters) sections.push(quarterSection(await communeFigures(opts.prisma, chosen.id, quarterPeriod(q.year, q.quarter), 'public')));
    const intro = 'Kết quả tiếp nhận, trả lời phản ánh, kiến nghị của người dân (chỉ có số liệu, không có thông tin cá nhân).';
    return page(`Công khai – ${chosen.name}`, `<h1>${e(chosen.name)}</h1><p>${e(intro)}</p>${sections.join('\n')}`);
  }

  async function serve(code: string | null, request: FastifyRequest, reply: FastifyReply) {
    const key = code ?? '';
    let hit = cache.get(key);
    if (hit === undefined || (hit && Date.now() - hit.at > ttl)) {
      const html = await render(code);
      hit = html === null ? null : { at: Date.now(), html, etag: `"${createHash('sha256').update(html).digest('base64url').slice(0, 22)}"` };
      // Unknown codes are not remembered: a scan of made-up addresses must not grow the cache.
      if (hit) cache.set(key, hit);
    }
    reply.header('content-security-policy', RESIDENT_PAGE_CSP);
    if (!hit) return reply.code(404).type('text/html; charset=utf-8').send(page('Không tìm thấy', `<h1>${e('Không tìm thấy xã này')}</h1><p><a href="/cong-khai">${e('Danh sách xã')}</a></p>`));
    reply.header('cache-control', `public, max-age=${Math.round(ttl / 1000)}`).header('etag', hit.etag);
    if (request.headers['if-none-match'] === hit.etag) return reply.code(304).send();
    return reply.type('text/html; charset=utf-8').send(hit.html);
  }

  app.get('/cong-khai', (request, reply) => serve(null, request, reply));
  app.get<{ Params: { commune: string } }>('/cong-khai/:commune', (request, reply) => serve(request.params.commune.slice(0, 64), request, reply));
};
