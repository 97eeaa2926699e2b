// GET / — the residents' front door: talk to the commune, see its public page; staff sign in
// from a small link. Health and metrics are for operators and are not advertised here. Self-contained
// (no external fonts, scripts or images): commune networks are often closed to the internet.
import type { FastifyPluginAsync } from 'fastify';
import type { PrismaClient } from '../../db/generated/client.ts';
import { escapeHtml, residentPage, RESIDENT_PAGE_CSP } from './resident-page.ts';
import { chatBase, publicBase } from '../commune-paths.ts';

const PRODUCT = 'Loa Xã';

const STYLE = `
  body { font-size: 1.2rem; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; padding: 1.5rem; line-height: 1.5; color: #1f2933; background: #f7f7f2; }
  main { max-width: 36rem; margin: 0 auto; }
  h1 { color: #b71c1c; margin: 0 0 .5rem; font-size: 2rem; }
  ul { padding-left: 1.2rem; }
  a { color: #0b5394; }
  .nut { display: block; padding: .9rem 1rem; background: #0b5394; color: #fff; border-radius: 6px; text-decoration: none; font-size: 1.25rem; text-align: center; }
  .note { font-size: .95rem; color: #52606d; }
  .xa { list-style: none; padding: 0; } .xa li { padding: .6rem 0; border-bottom: 1px solid #d9d9cf; }
`;

/**
 * One commune (or none yet): its chat and public page. Several (a province installation): each
 * commune with its own chat and public page, so a resident writes to their own commune.
 */
export function renderHomePage(communes: Array<{ code: string; name: string }> = []): string {
  const e = escapeHtml;
  const doors =
    communes.length > 1
      ? `  <h2>${e('Chọn xã')}</h2>
  <ul class="xa">${communes.map((c) => `<li><strong>${e(c.name)}</strong><br><a href="${chatBase(c.code)}">${e('Gửi phản ánh, hỏi đáp')}</a> · <a href="${publicBase(c.code)}">${e('Công khai')}</a></li>`).join('')}</ul>`
      : `  <p><a class="nut" href="/chat">${e('Gửi phản ánh, hỏi đáp với xã')}</a></p>
  <p><a class="nut" href="/cong-khai">${e('Công khai kết quả trả lời phản ánh')}</a></p>`;
  return residentPage(PRODUCT, STYLE, `  <h1>${e(PRODUCT)}</h1>
  <p>${e('Hệ thống truyền thanh thông minh của xã: phát bản tin tới loa, nhóm Zalo và Telegram, đồng thời tiếp nhận và trả lời phản ánh, kiến nghị của người dân.')}</p>
${doors}
  <p class="note"><a href="/admin/dang-nhap">${e('Cán bộ đăng nhập')}</a></p>`);
}

export const homePlugin: FastifyPluginAsync<{ prisma?: PrismaClient }> = async (app, opts) => {
  app.get('/', { schema: { response: { 200: { type: 'string' } } } }, async (_request, reply) => {
    const communes = opts.prisma ? await opts.prisma.commune.findMany({ orderBy: [{ name: 'asc' }, { code: 'asc' }], select: { code: true, name: true }, take: 1000 }) : [];
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', RESIDENT_PAGE_CSP)
      .send(renderHomePage(communes));
  });
};
