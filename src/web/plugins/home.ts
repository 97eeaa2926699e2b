// GET / — the residents' front door: talk to the commune, see its public page; staff sign in
// from a small link. Health and metrics are for operators and are not advertised here. Self-contained
// (no external fonts, scripts or images): commune networks are often closed to the internet.
import type { FastifyPluginAsync } from 'fastify';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

const PRODUCT = 'Loa Xã';

export function renderHomePage(): string {
  const e = escapeHtml;
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(PRODUCT)}</title>
<style>
  body { font-size: 1.2rem; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; padding: 1.5rem; line-height: 1.5; color: #1f2933; background: #f7f7f2; }
  main { max-width: 36rem; margin: 0 auto; }
  h1 { color: #b71c1c; margin: 0 0 .5rem; font-size: 2rem; }
  ul { padding-left: 1.2rem; }
  a { color: #0b5394; }
  .nut { display: block; padding: .9rem 1rem; background: #0b5394; color: #fff; border-radius: 6px; text-decoration: none; font-size: 1.25rem; text-align: center; }
  .note { font-size: .95rem; color: #52606d; }
</style>
</head>
<body>
<main>
  <h1>${e(PRODUCT)}</h1>
  <p>${e('Hệ thống truyền thanh thông minh của xã: phát bản tin tới loa, nhóm Zalo và Telegram, đồng thời tiếp nhận và trả lời phản ánh, kiến nghị của người dân.')}</p>
  <p><a class="nut" href="/chat">${e('Gửi phản ánh, hỏi đáp với xã')}</a></p>
  <p><a class="nut" href="/cong-khai">${e('Công khai kết quả trả lời phản ánh')}</a></p>
  <p class="note"><a href="/admin/dang-nhap">${e('Cán bộ đăng nhập')}</a></p>
</main>
</body>
</html>
`;
}

export const homePlugin: FastifyPluginAsync = async (app) => {
  const page = renderHomePage();
  app.get('/', { schema: { response: { 200: { type: 'string' } } } }, async (_request, reply) => {
    return reply
      .type('text/html; charset=utf-8')
      // Inline styles only; nothing else may load or run on this page.
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
      .send(page);
  });
};
