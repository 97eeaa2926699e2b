// Satisfaction as files: a sheet in the quarterly spreadsheet and a section of the quarterly PDF
// (surveys of the period and ratings after answers, by village), a survey's results as XLSX, and
// the annual "Khảo sát mức độ hài lòng" report as its own printable PDF.
import { SATISFIED_RULE_TEXT, type SatisfactionFigures, type SurveyResults } from '../surveys/survey-results.ts';
import { formatVi } from '../text/format-vi.ts';
import { rateText as rate, satisfactionSection } from './satisfaction-section.ts';
import { loadExcel, loadPdfmake, useFonts, type PdfContent, type TDocumentDefinitions, type Workbook } from './document-libs.ts';

const { num } = formatVi;
type Block = PdfContent;
const M = (a: number, b: number, c: number, d: number): [number, number, number, number] => [a, b, c, d];

const HEAD = ['Thôn', 'Lượt khảo sát', 'Hài lòng (khảo sát)', 'Lượt đánh giá phản ánh', 'Hài lòng (phản ánh)', 'Tổng lượt', 'Tổng hài lòng', 'Tỉ lệ hài lòng'];

export function addSatisfactionSheet(wb: Workbook, s: SatisfactionFigures): void {
  const ws = wb.addWorksheet('Hài lòng');
  ws.addRow([`Mức độ hài lòng của người dân — ${s.period.label}`]).font = { bold: true };
  ws.addRow([]);
  ws.addRow(HEAD).font = { bold: true };
  for (const r of [...s.byVillage, s.totals]) ws.addRow([r.name, r.surveyRated, r.surveySatisfied, r.ticketRated, r.ticketSatisfied, r.rated, r.satisfied, r.rate]);
  ws.getColumn(8).numFmt = '0.0%';
  ws.getColumn(1).width = 26;
  ws.addRow([]);
  ws.addRow(['Khảo sát', 'Mời', 'Trả lời', 'Điểm TB (1–5)']).font = { bold: true };
  for (const x of s.surveys) ws.addRow([x.title, x.invited, x.responded, x.averageScore]);
}

function table(head: string[], rows: Array<Array<string>>, widths?: string[]): Block {
  return {
    table: { headerRows: 1, widths: widths ?? ['*', ...head.slice(1).map(() => 'auto')], body: [head.map((text) => ({ text, bold: true })), ...rows] },
    fontSize: 9,
    margin: M(0, 4, 0, 12),
  };
}

/** The quarterly report's section (and the annual report's core). */
export function satisfactionPdfSection(s: SatisfactionFigures, heading: string): Block[] {
  const x = satisfactionSection(s);
  return [
    { text: heading, bold: true, margin: M(0, 6, 0, 6) },
    { ul: x.summary, margin: M(0, 0, 0, 8) },
    ...(x.surveys.rows.length ? [table(x.surveys.head, x.surveys.rows)] : []),
    { text: 'Mức độ hài lòng theo thôn', bold: true },
    table(x.villages.head, x.villages.rows),
  ];
}

export async function surveyResultsXlsx(r: SurveyResults): Promise<Buffer> {
  const ExcelJS = await loadExcel();
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Loa Xã';
  const summary = wb.addWorksheet('Theo câu hỏi');
  summary.addRow([`Kết quả khảo sát: ${r.survey.title}`]).font = { bold: true };
  summary.addRow(['Lượt mời', r.invited, 'Đã gửi', r.sent, 'Trả lời', r.responded]);
  summary.addRow([]);
  for (const q of r.byQuestion) {
    summary.addRow([`Câu ${q.position}: ${q.text}`, `Trả lời: ${q.answered}`, `Bỏ qua: ${q.skipped}`, ...(q.average !== null ? [`Điểm TB: ${q.average}`] : [])]).font = { bold: true };
    for (const o of q.options) summary.addRow([o.label, o.count]);
    for (const t of q.texts) summary.addRow([t]);
    summary.addRow([]);
  }
  summary.getColumn(1).width = 50;
  const villages = wb.addWorksheet('Theo thôn');
  villages.addRow(['Thôn', 'Mời', 'Trả lời', 'Có chấm điểm', 'Hài lòng', 'Điểm TB (1–5)']).font = { bold: true };
  for (const v of r.byVillage) villages.addRow([v.name, v.invited, v.responded, v.rated, v.satisfied, v.averageScore]);
  villages.getColumn(1).width = 26;
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** "Báo cáo kết quả khảo sát mức độ hài lòng" of a year: its own document, to print and sign. */
export async function annualSatisfactionPdf(p: { commune: { name: string; province: string | null }; year: number; figures: SatisfactionFigures; quarters: SatisfactionFigures[] }): Promise<Buffer> {
  const pdfmake = await loadPdfmake();
  useFonts(pdfmake);
  const doc: TDocumentDefinitions = {
    info: { title: `Báo cáo khảo sát mức độ hài lòng năm ${p.year} — ${p.commune.name}` },
    pageSize: 'A4',
    pageMargins: [56, 56, 48, 56],
    defaultStyle: { font: 'Roboto', fontSize: 11 },
    content: [
      { columns: [{ text: `${(p.commune.province ?? '').toUpperCase()}\n${p.commune.name.toUpperCase()}`, bold: true, fontSize: 10 }, { text: 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc', bold: true, fontSize: 10, alignment: 'center' }] },
      { text: 'BÁO CÁO', bold: true, fontSize: 14, alignment: 'center', margin: [0, 24, 0, 4] },
      { text: `Kết quả khảo sát mức độ hài lòng của người dân\nđối với thái độ phục vụ và sự phục vụ của cán bộ, công chức — năm ${p.year}`, alignment: 'center', bold: true, margin: [0, 0, 0, 16] },
      ...satisfactionPdfSection(p.figures, 'I. KẾT QUẢ CHUNG CỦA NĂM'),
      { text: 'II. THEO QUÝ', bold: true, margin: [0, 6, 0, 6] },
      table(['Quý', 'Khảo sát', 'Hài lòng', 'Đánh giá PA', 'Hài lòng', 'Tỉ lệ'], p.quarters.map((q) => [q.period.label, num(q.totals.surveyRated), num(q.totals.surveySatisfied), num(q.totals.ticketRated), num(q.totals.ticketSatisfied), rate(q.totals.rate)])),
      { text: `Số liệu do hệ thống Loa Xã tổng hợp lúc ${formatVi.dateTime(new Date(), '')}. ${SATISFIED_RULE_TEXT}`, italics: true, fontSize: 9, margin: [0, 18, 0, 0] },
    ],
  };
  return pdfmake.createPdf(doc).getBuffer();
}
