// The parts of the public page ("công khai") as HTML: published answers with their search form,
// the bulletin archive with audio to listen again, the ticket-status lookup and survey results
// (bars drawn by CSS widths: no script, no image). Every value
// shown is escaped here; what may be shown at all was decided by the domain (faq-search.ts,
// bulletin-archive.ts, ticket-visibility.ts's publicTicketStatus, survey-public.ts).
import type { ArchivedBulletin } from '../../bulletins/bulletin-archive.ts';
import type { FaqPage } from '../../tickets/faq-search.ts';
import type { PublicTicketStatus } from '../../tickets/ticket-visibility.ts';
import { PUBLIC_MIN_ANSWERS, WITHHELD_TEXT, type PublicSurvey, type PublicSurveys } from '../../surveys/survey-public.ts';
import { statusLabel } from '../../tickets/ticket-status.ts';
import { formatVi } from '../../text/format-vi.ts';
import { escapeHtml as e } from './resident-page.ts';
import { chatBase, publicBase } from '../commune-paths.ts';

/** Addresses of one commune's public pages. */
export function publicPaths(code: string) {
  const base = publicBase(code);
  return {
    home: base,
    chat: chatBase(code),
    faq: `${base}/hoi-dap`,
    archive: `${base}/ban-tin`,
    status: `${base}/tra-cuu`,
    survey: (surveyId: string) => `${base}/khao-sat/${surveyId}`,
    audio: (bulletinId: string) => `${base}/ban-tin/${bulletinId}/am-thanh`,
  };
}
type Paths = ReturnType<typeof publicPaths>;

export const PUBLIC_STYLE = `*{box-sizing:border-box}body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:1rem;font-size:1.25rem;line-height:1.6;color:#111;background:#fff;overflow-wrap:anywhere}
main{max-width:40rem;margin:0 auto}h1{color:#8b0000;font-size:1.8rem;margin:.2rem 0}h2{font-size:1.5rem;border-bottom:3px solid #8b0000;margin-top:2rem}h3{font-size:1.25rem;margin:.2rem 0}
a{color:#003d7a}nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.5rem 1rem}.so{margin:0}.so div{display:flex;justify-content:space-between;gap:1rem;border-bottom:1px solid #999;padding:.3rem 0}.so dd{margin:0;font-weight:700}
.bang{overflow-x:auto}table{width:100%;border-collapse:collapse;margin-top:1rem}caption{text-align:left;font-weight:700}th,td{border-bottom:1px solid #999;padding:.3rem;text-align:right}th[scope=row],th:first-child{text-align:left}
form{margin:1rem 0}label{display:block;font-weight:700}input{width:100%;font-size:1.25rem;padding:.6rem;border:2px solid #333;border-radius:4px}button{margin-top:.5rem;font-size:1.25rem;min-height:48px;padding:.5rem 1.2rem;background:#003d7a;color:#fff;border:0;border-radius:4px}
:focus{outline:3px solid #b35900;outline-offset:2px}article{border-bottom:1px solid #999;padding:.6rem 0}.nho{font-size:1.125rem;color:#333}audio{width:100%;margin-top:.4rem}.tb{background:#fff3cd;border-left:6px solid #8a6d00;padding:.6rem}
.trang{display:flex;flex-wrap:wrap;gap:1rem;justify-content:space-between}
.ket-qua{list-style:none;padding:0;margin:.3rem 0}.ket-qua li{padding:.3rem 0}.nhan{display:block}.vach{height:.9rem;background:#e5e5e5;border:1px solid #555}.vach span{display:block;height:100%;background:#003d7a}h4{font-size:1.2rem;margin:.8rem 0 .2rem}`;

export function faqForm(paths: Paths, query = ''): string {
  return `<form method="get" action="${paths.faq}" role="search"><label for="q">${e('Tìm câu hỏi đã được trả lời')}</label><input id="q" name="q" type="search" maxlength="200" value="${e(query)}" placeholder="${e('ví dụ: làm căn cước')}"><button type="submit">${e('Tìm')}</button></form>`;
}

export function faqEntries(page: FaqPage): string {
  if (!page.entries.length) return `<p>${e(page.words.length ? 'Không tìm thấy câu hỏi nào khớp. Xin thử từ khác, hoặc gửi câu hỏi cho xã.' : 'Chưa có câu hỏi nào được công khai.')}</p>`;
  return page.entries
    .map((x) => `<article><h3>${e(x.question)}</h3><p>${e(x.answer)}</p><p class="nho">${e([x.field, `công khai ngày ${formatVi.day(x.publishedAt)}`].filter(Boolean).join(' · '))}</p></article>`)
    .join('');
}

/** "Trang trước / Trang sau" links, keeping the other query parameters. */
export function pager(path: string, page: number, pages: number, params: Record<string, string> = {}): string {
  if (pages <= 1) return '';
  const href = (n: number) => `${path}?${new URLSearchParams({ ...params, trang: String(n) }).toString()}`;
  const prev = page > 1 ? `<a href="${e(href(page - 1))}" rel="prev">${e('← Trang trước')}</a>` : '<span></span>';
  const next = page < pages ? `<a href="${e(href(page + 1))}" rel="next">${e('Trang sau →')}</a>` : '<span></span>';
  return `<nav class="trang" aria-label="${e('Chuyển trang')}">${prev}<span>${e(`Trang ${page}/${pages}`)}</span>${next}</nav>`;
}

export function archiveEntries(paths: Paths, bulletins: ArchivedBulletin[], full: boolean): string {
  if (!bulletins.length) return `<p>${e('Chưa có bản tin nào được phát.')}</p>`;
  return bulletins
    .map((b) => {
      const audio = b.audioSha256 ? `<audio controls preload="none" src="${paths.audio(b.id)}" aria-label="${e(`Nghe lại: ${b.title}`)}"></audio>` : '';
      const text = b.text ? (full ? b.text : b.text.length > 300 ? `${b.text.slice(0, 300)}…` : b.text) : '';
      return `<article><h3>${e(b.title)}</h3><p class="nho">${e(`Phát lúc ${formatVi.dateTime(b.airedAt)}`)}</p>${text ? `<p>${e(text)}</p>` : ''}${audio}</article>`;
    })
    .join('');
}

export function statusForm(paths: Paths, prefix: string, code = ''): string {
  return `<form method="get" action="${paths.status}"><label for="ma">${e(`Mã phiếu (trong tin nhắn xác nhận, ví dụ ${prefix}-2026-123)`)}</label><input id="ma" name="ma" maxlength="40" autocomplete="off" value="${e(code)}"><button type="submit">${e('Tra cứu')}</button></form>`;
}

export function statusResult(s: PublicTicketStatus): string {
  const rows: Array<[string, string]> = [
    ['Mã phiếu', s.code],
    ['Tình trạng', statusLabel[s.status]],
    ['Ngày tiếp nhận', formatVi.dateTime(s.receivedAt)],
  ];
  if (s.answeredAt) rows.push(['Ngày trả lời', formatVi.dateTime(s.answeredAt)]);
  if (s.closedAt) rows.push(['Ngày đóng', formatVi.dateTime(s.closedAt)]);
  return `<dl class="so" aria-live="polite">${rows.map(([k, v]) => `<div><dt>${e(k)}</dt><dd>${e(v)}</dd></div>`).join('')}</dl><p class="nho">${e('Nội dung phản ánh và câu trả lời chỉ gửi riêng cho người gửi, qua kênh đã dùng.')}</p>`;
}

export function notice(text: string): string {
  return `<p class="tb" role="status">${e(text)}</p>`;
}

/** A bar and its figure; the bar is decoration (hidden from screen readers), the words carry it. */
function bar(share: number, words: string): string {
  return `<div class="vach" aria-hidden="true"><span style="width:${Math.round(share * 100)}%"></span></div><span>${e(words)}</span>`;
}

const withheld = () => `<p class="nho">${e(`Kết quả: ${WITHHELD_TEXT}.`)}</p>`;

/** A closed survey's results by question (a bar per choice) and by village (share satisfied). */
export function surveyResultsBlock(s: PublicSurvey, heading: 'h1' | 'h3'): string {
  const sub = heading === 'h1' ? 'h2' : 'h4';
  const head = `<${heading}>${e(s.title)}</${heading}><p class="nho">${e(`Từ ${formatVi.day(s.opensAt)} đến ${formatVi.day(s.closesAt)} · ${formatVi.num(s.responded)} người trả lời / ${formatVi.num(s.invited)} người được mời`)}</p>`;
  const questions = s.questions
    .map((q) => {
      const title = `<${sub}>${e(`Câu ${q.position}: ${q.text}`)}</${sub}>`;
      if (q.answered === null) return `<div class="cau">${title}${withheld()}</div>`;
      const rows = q.options.map((o) => `<li><span class="nhan">${e(o.label)}</span>${bar(o.share, `${formatVi.num(o.count)} (${formatVi.pct(o.share)})`)}</li>`).join('');
      const avg = q.average === null ? '' : ` · điểm trung bình ${formatVi.num(q.average)}/5`;
      return `<div class="cau">${title}<p class="nho">${e(`${formatVi.num(q.answered)} người trả lời${avg}`)}</p><ul class="ket-qua">${rows}</ul></div>`;
    })
    .join('');
  const villages = s.villages.length
    ? `<${sub}>${e('Theo thôn')}</${sub}><ul class="ket-qua">${s.villages
        .map((v) => {
          if (!v.shown) return `<li><span class="nhan">${e(v.name)}</span><span class="nho">${e(WITHHELD_TEXT)}</span></li>`;
          if (v.satisfiedShare === null) return `<li><span class="nhan">${e(v.name)}</span><span>${e(`${formatVi.num(v.responded)} người trả lời`)}</span></li>`;
          const avg = v.averageScore === null ? '' : `, điểm TB ${formatVi.num(v.averageScore)}/5`;
          return `<li><span class="nhan">${e(v.name)}</span>${bar(v.satisfiedShare, `hài lòng ${formatVi.pct(v.satisfiedShare)} (${formatVi.num(v.rated)} người${avg})`)}</li>`;
        })
        .join('')}</ul>`
    : '';
  return `<article class="khao-sat">${head}${questions}${villages}</article>`;
}

/** The page's survey section: the newest closed survey in full, older ones linked, open ones named. */
export function surveySection(paths: Paths, s: PublicSurveys): string {
  const running = s.running.length
    ? `<p>${e('Đang khảo sát (kết quả công bố sau khi kết thúc):')}</p><ul>${s.running.map((r) => `<li>${e(`${r.title} — đến ${formatVi.day(r.closesAt)}`)}</li>`).join('')}</ul>`
    : '';
  const latest = s.latest ? surveyResultsBlock(s.latest, 'h3') : `<p>${e('Chưa có cuộc khảo sát nào kết thúc.')}</p>`;
  const earlier = s.earlier.length
    ? `<p>${e('Các cuộc khảo sát trước:')}</p><ul>${s.earlier.map((x) => `<li><a href="${paths.survey(x.id)}">${e(x.title)}</a> <span class="nho">${e(`(kết thúc ${formatVi.day(x.closesAt)}, ${formatVi.num(x.responded)} người trả lời)`)}</span></li>`).join('')}</ul>`
    : '';
  return `${running}${latest}${earlier}<p class="nho">${e(`Chỉ công bố số liệu; không công bố ý kiến ghi bằng chữ. Câu hỏi hoặc thôn có dưới ${PUBLIC_MIN_ANSWERS} người trả lời không được công bố riêng, để không ai đoán được câu trả lời của từng người.`)}</p>`;
}
