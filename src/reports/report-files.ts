// The report as files: a spreadsheet (exceljs) with the summary, by field, by village and every
// ticket with the time of each status change; the same ticket list as CSV (csv-stringify); and the
// printable quarterly report as PDF (pdfmake, with its Roboto fonts, which carry Vietnamese).
import { stringify } from 'csv-stringify/sync';
import { loadExcel, loadPdfmake, useFonts, type TDocumentDefinitions } from './document-libs.ts';
import { addSatisfactionSheet, satisfactionPdfSection } from './satisfaction-files.ts';
import type { Report, TicketFigures } from './ticket-report.ts';
import { statusLabel } from '../tickets/ticket-status.ts';
import { formatVi } from '../text/format-vi.ts';

const when = (d: Date | null) => formatVi.dateTime(d, '');
const { pct, num } = formatVi;

const COLUMNS: Array<[keyof TicketFigures, string]> = [
  ['received', 'Tiếp nhận'],
  ['eligible', 'Đủ điều kiện xử lý'],
  ['answered', 'Đã trả lời'],
  ['onTime', 'Trả lời đúng hạn'],
  ['transferred', 'Chuyển cơ quan khác'],
  ['resolvedRate', 'Tỉ lệ giải quyết'],
  ['avgHoursToAnswer', 'Thời gian trả lời TB (giờ)'],
  ['satisfied', 'Hài lòng'],
  ['rated', 'Số lượt đánh giá'],
];

export async function reportXlsx(r: Report): Promise<Buffer> {
  const ExcelJS = await loadExcel();
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Loa Xã';
  const summary = wb.addWorksheet('Tổng hợp');
  summary.addRow([`Báo cáo kết quả tiếp nhận, giải quyết phản ánh, kiến nghị — ${r.commune.name}`]).font = { bold: true };
  summary.addRow([r.period.label, `từ ${r.period.from} đến ${r.period.to}`]);
  summary.addRow([]);
  for (const [k, label] of COLUMNS) summary.addRow([label, r.totals[k] ?? '']);
  summary.addRow([]);
  summary.addRow(['Bản tin đã phát', r.broadcasts.bulletins]);
  summary.addRow(['Trong đó bản tin của tỉnh', r.broadcasts.fromProvince]);
  summary.addRow(['Lượt phát', r.broadcasts.runs]);
  summary.addRow(['Tới nhóm Telegram', r.broadcasts.deliveredByChannel.telegram]);
  summary.addRow(['Tới nhóm Zalo', r.broadcasts.deliveredByChannel.zalo]);
  summary.addRow(['Tới cụm loa', r.broadcasts.deliveredByChannel.loudspeaker]);
  summary.addRow(['Giờ phát trên loa', r.broadcasts.broadcastHours]);
  summary.addRow(['Tới người đăng ký (tin riêng)', r.subscribers.deliveries.sent]);
  summary.addRow(['Tin riêng bỏ qua (nền tảng không cho gửi)', r.subscribers.deliveries.skipped]);
  summary.addRow(['Người đăng ký nhận tin', r.subscribers.residents]);
  for (const v of r.subscribers.byVillage) summary.addRow([`Người đăng ký — ${v.name}`, v.total]);
  summary.getColumn(1).width = 34;
  summary.getColumn(2).width = 24;
  for (const [name, rows] of [['Theo lĩnh vực', r.byField], ['Theo thôn', r.byVillage]] as const) {
    const ws = wb.addWorksheet(name);
    ws.addRow([name === 'Theo lĩnh vực' ? 'Lĩnh vực' : 'Thôn', ...COLUMNS.map(([, l]) => l)]).font = { bold: true };
    for (const row of rows) ws.addRow([row.name, ...COLUMNS.map(([k]) => row[k] ?? '')]);
    ws.getColumn(1).width = 30;
  }
  const list = wb.addWorksheet('Phiếu');
  list.addRow(['Mã phiếu', 'Lĩnh vực', 'Thôn', 'Kênh', 'Trạng thái', 'Tiếp nhận lúc', 'Hạn trả lời', 'Trả lời lúc', 'Đúng hạn', 'Các lần đổi trạng thái']).font = { bold: true };
  for (const t of r.tickets) {
    list.addRow([t.code, t.field, t.village, t.channel, statusLabel[t.status as keyof typeof statusLabel] ?? t.status, when(t.createdAt), when(t.dueAt), when(t.answeredAt), t.onTime === null ? '' : t.onTime ? 'có' : 'không', t.changes.map((c) => `${when(c.at)} → ${statusLabel[c.to as keyof typeof statusLabel] ?? c.to}`).join('; ')]);
  }
  list.columns.forEach((c) => (c.width = 18));
  addSatisfactionSheet(wb, r.satisfaction);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export function reportCsv(r: Report): string {
  const rows = r.tickets.map((t) => [t.code, t.field, t.village, t.channel, statusLabel[t.status as keyof typeof statusLabel] ?? t.status, when(t.createdAt), when(t.dueAt), when(t.answeredAt), t.onTime === null ? '' : t.onTime ? 'có' : 'không', t.changes.map((c) => `${when(c.at)} → ${statusLabel[c.to as keyof typeof statusLabel] ?? c.to}`).join('; ')]);
  // A byte-order mark so Excel opens the Vietnamese text as UTF-8.
  return '\uFEFF' + stringify([['Mã phiếu', 'Lĩnh vực', 'Thôn', 'Kênh', 'Trạng thái', 'Tiếp nhận lúc', 'Hạn trả lời', 'Trả lời lúc', 'Đúng hạn', 'Các lần đổi trạng thái'], ...rows]);
}

export async function reportPdf(r: Report): Promise<Buffer> {
  const pdfmake = await loadPdfmake();
  useFonts(pdfmake);
  const t = r.totals;
  const table = (head: string, rows: Array<{ name: string } & TicketFigures>) => ({
    table: {
      headerRows: 1,
      widths: ['*', 'auto', 'auto', 'auto', 'auto', 'auto', 'auto'],
      body: [
        [head, 'Tiếp nhận', 'Đủ ĐK', 'Đã trả lời', 'Đúng hạn', 'Chuyển', 'Tỉ lệ GQ'].map((text) => ({ text, bold: true })),
        ...rows.map((x) => [x.name, num(x.received), num(x.eligible), num(x.answered), num(x.onTime), num(x.transferred), pct(x.resolvedRate)]),
      ],
    },
    fontSize: 9,
    margin: [0, 4, 0, 12] as [number, number, number, number],
  });
  const doc: TDocumentDefinitions = {
    info: { title: `Báo cáo phản ánh, kiến nghị ${r.period.label} — ${r.commune.name}` },
    pageSize: 'A4',
    pageMargins: [56, 56, 48, 56],
    defaultStyle: { font: 'Roboto', fontSize: 11 },
    content: [
      { columns: [{ text: `${(r.commune.province ?? '').toUpperCase()}\n${r.commune.name.toUpperCase()}`, bold: true, fontSize: 10 }, { text: 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc', bold: true, fontSize: 10, alignment: 'center' }] },
      { text: 'BÁO CÁO', bold: true, fontSize: 14, alignment: 'center', margin: [0, 24, 0, 4] },
      { text: `Kết quả tiếp nhận, giải quyết phản ánh, kiến nghị của Nhân dân\n${r.period.label} (từ ${r.period.from.split('-').reverse().join('/')} đến ${r.period.to.split('-').reverse().join('/')})`, alignment: 'center', bold: true, margin: [0, 0, 0, 16] },
      { text: 'I. KẾT QUẢ TIẾP NHẬN, GIẢI QUYẾT', bold: true, margin: [0, 0, 0, 6] },
      {
        ul: [
          `Tổng số phản ánh, kiến nghị tiếp nhận: ${num(t.received)}; đủ điều kiện xử lý: ${num(t.eligible)}.`,
          `Đã trả lời: ${num(t.answered)}; đúng hạn: ${num(t.onTime)} trên ${num(t.due)} phiếu đã đến hạn (${pct(t.onTimeRate)}).`,
          `Chuyển cơ quan có thẩm quyền: ${num(t.transferred)}.`,
          `Tỉ lệ giải quyết: ${pct(t.resolvedRate)}. Thời gian trả lời trung bình: ${t.avgHoursToAnswer === null ? '—' : `${num(t.avgHoursToAnswer)} giờ`}.`,
          `Người dân đánh giá: ${num(t.rated)} lượt, hài lòng ${num(t.satisfied)}.`,
        ],
        margin: [0, 0, 0, 10],
      },
      { text: 'Theo lĩnh vực', bold: true },
      table('Lĩnh vực', r.byField),
      { text: 'Theo thôn', bold: true },
      table('Thôn', r.byVillage),
      { text: 'II. THÔNG TIN TUYÊN TRUYỀN TRÊN HỆ THỐNG TRUYỀN THANH', bold: true, margin: [0, 6, 0, 6] },
      {
        ul: [
          `Số bản tin đã phát: ${num(r.broadcasts.bulletins)} (trong đó của tỉnh: ${num(r.broadcasts.fromProvince)}); số lượt phát: ${num(r.broadcasts.runs)}.`,
          `Tới nhóm Telegram: ${num(r.broadcasts.deliveredByChannel.telegram)}; nhóm Zalo: ${num(r.broadcasts.deliveredByChannel.zalo)}; cụm loa: ${num(r.broadcasts.deliveredByChannel.loudspeaker)}.`,
          `Tổng thời lượng phát trên loa: ${num(r.broadcasts.broadcastHours)} giờ.`,
        ],
      },
      ...satisfactionPdfSection(r.satisfaction, 'III. KHẢO SÁT MỨC ĐỘ HÀI LÒNG CỦA NGƯỜI DÂN'),
      { text: `Số liệu do hệ thống Loa Xã tổng hợp lúc ${when(new Date())}.`, italics: true, fontSize: 9, margin: [0, 18, 0, 0] },
    ],
  };
  return pdfmake.createPdf(doc).getBuffer();
}
