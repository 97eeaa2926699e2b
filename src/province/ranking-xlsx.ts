// The province ranking as a spreadsheet (exceljs, loaded on first export like the commune report's):
// one row per commune, in ranking order, rates as percentages Excel can sort and sum.
import type ExcelJSModule from 'exceljs';
import type { RankedCommune } from './commune-ranking.ts';

let excel: Promise<typeof ExcelJSModule> | undefined;
const loadExcel = () => (excel ??= import('exceljs').then((m) => (m as unknown as { default: typeof ExcelJSModule }).default ?? (m as unknown as typeof ExcelJSModule)));

const COLUMNS: Array<{ header: string; value: (r: RankedCommune) => string | number | null; format?: string; width?: number }> = [
  { header: 'Hạng', value: (r) => r.rank ?? 'chưa xếp hạng', width: 8 },
  { header: 'Mã xã', value: (r) => r.code, width: 14 },
  { header: 'Xã', value: (r) => r.name, width: 28 },
  { header: 'Tiếp nhận', value: (r) => r.received },
  { header: 'Cần trả lời', value: (r) => r.eligible },
  { header: 'Đã trả lời', value: (r) => r.answered },
  { header: 'Đã đến hạn', value: (r) => r.due },
  { header: 'Trả lời đúng hạn', value: (r) => r.onTime },
  { header: 'Tỉ lệ đúng hạn', value: (r) => r.onTimeRate, format: '0.0%' },
  { header: 'Thời gian trả lời TB (giờ)', value: (r) => (r.avgHoursToAnswer === null ? null : Math.round(r.avgHoursToAnswer * 10) / 10), format: '0.0', width: 16 },
  { header: 'Lượt đánh giá', value: (r) => r.rated },
  { header: 'Tỉ lệ hài lòng', value: (r) => r.satisfactionRate, format: '0.0%' },
  { header: 'Loa đang hoạt động', value: (r) => r.loudspeakersOnline },
  { header: 'Tổng số loa', value: (r) => r.loudspeakers },
  { header: 'Lượt bản tin đã tới', value: (r) => r.bulletinsDelivered },
];

export async function rankingXlsx(p: { title: string; periodLabel: string; rows: readonly RankedCommune[] }): Promise<Buffer> {
  const ExcelJS = await loadExcel();
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Loa Xã';
  const ws = wb.addWorksheet('Xếp hạng');
  ws.addRow([p.title]).font = { bold: true };
  ws.addRow([p.periodLabel]);
  ws.addRow([]);
  ws.addRow(COLUMNS.map((c) => c.header)).font = { bold: true };
  for (const r of p.rows) ws.addRow(COLUMNS.map((c) => c.value(r)));
  COLUMNS.forEach((c, i) => {
    const col = ws.getColumn(i + 1);
    col.width = c.width ?? 12;
    if (c.format) col.numFmt = c.format;
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
