// The web admin (/admin), server-rendered in Vietnamese: pages work on a 360-px phone, every value
// is escaped by the template engine (Eta, autoEscape), forms carry a CSRF token, and the session is
// the same httpOnly cookie as the API's. Scripts are our own files only (charts, calendar drag,
// the editor's estimate and uploads); every page works for reading without them.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyPluginAsync } from 'fastify';
import { createAdminContext, type AdminPluginOptions } from './admin-context.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { dashboardRoutes } from './routes/dashboard-routes.ts';
import { inboxRoutes } from './routes/inbox-routes.ts';
import { bulletinRoutes } from './routes/bulletin-routes.ts';
import { qaRoutes } from './routes/qa-routes.ts';
import { calendarRoutes } from './routes/calendar-routes.ts';
import { targetsRoutes } from './routes/targets-routes.ts';
import { staffRoutes } from './routes/staff-routes.ts';
import { reportRoutes } from './routes/report-routes.ts';
import { surveyRoutes } from './routes/survey-routes.ts';
import { auditRoutes } from './routes/audit-routes.ts';
import { provinceRoutes } from './routes/province-routes.ts';
import { provinceBulletinPages } from './routes/province-bulletin-pages.ts';
import { onboardingRoutes } from './routes/onboarding-routes.ts';
import { registerLimitStore } from '../request-limits.ts';

export type { AdminPluginOptions } from './admin-context.ts';

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

function loadAssets(): Record<string, { body: string; type: string }> {
  const require = createRequire(import.meta.url);
  const own = (name: string) => readFileSync(fileURLToPath(new URL(`./assets/${name}`, import.meta.url)), 'utf8');
  const css = 'text/css; charset=utf-8';
  const js = 'text/javascript; charset=utf-8';
  return {
    'pico.min.css': { body: readFileSync(require.resolve('@picocss/pico/css/pico.min.css'), 'utf8'), type: css },
    // chart.js exports no subpath for its browser build; it sits beside the resolved entry.
    'chart.umd.min.js': { body: readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8'), type: js },
    'admin.css': { body: own('admin.css'), type: css },
    'report-charts.js': { body: own('report-charts.js'), type: js },
    'bulletin-editor.js': { body: own('bulletin-editor.js'), type: js },
    'calendar-drag.js': { body: own('calendar-drag.js'), type: js },
    'zalo-login.js': { body: own('zalo-login.js'), type: js },
    'list-upload.js': { body: own('list-upload.js'), type: js },
  };
}

export const adminPlugin: FastifyPluginAsync<AdminPluginOptions> = async (app, opts) => {
  const assets = loadAssets();
  await app.register(cookie);
  // A 20,000-character bulletin in Vietnamese is up to ~180 KB once URL-encoded.
  await app.register(formbody, { bodyLimit: 256 * 1024 });
  if (opts.limits) await registerLimitStore(app, opts.limits);

  app.addHook('onSend', async (_req, reply, payload) => {
    // Only our own files may load; no inline script runs, whatever a title or a ticket contains.
    reply.header('content-security-policy', CSP);
    return payload;
  });

  app.get<{ Params: { file: string } }>('/admin/static/:file', async (req, reply) => {
    const asset = Object.hasOwn(assets, req.params.file) ? assets[req.params.file] : undefined;
    if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send('Không có tệp này.');
    return reply.type(asset.type).header('cache-control', 'public, max-age=3600').send(asset.body);
  });

  // A form larger than the limit gets a page in Vietnamese, not a bare JSON error.
  app.setErrorHandler(async (err, req, reply) => {
    if ((err as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).type('text/html; charset=utf-8').send('<!doctype html><html lang="vi"><meta charset="utf-8"><title>Quá lớn</title><p>Nội dung gửi lên quá lớn (tối đa 256 KB cho một biểu mẫu). Quay lại trang trước và rút gọn nội dung.</p></html>');
    }
    throw err;
  });

  const ctx = createAdminContext(opts);
  authRoutes(app, ctx);
  dashboardRoutes(app, ctx);
  inboxRoutes(app, ctx);
  qaRoutes(app, ctx);
  bulletinRoutes(app, ctx);
  calendarRoutes(app, ctx);
  targetsRoutes(app, ctx);
  staffRoutes(app, ctx);
  reportRoutes(app, ctx);
  surveyRoutes(app, ctx);
  auditRoutes(app, ctx);
  provinceRoutes(app, ctx);
  provinceBulletinPages(app, ctx);
  onboardingRoutes(app, ctx);
};
