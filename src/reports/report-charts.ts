// The report's charts as data: the page draws them with Chart.js and prints the same numbers in a
// table under each chart (for screen readers, for printing, and when scripts are off).
import type { Report } from './ticket-report.ts';
import { onTimeShare } from './commune-figures.ts';

export interface ChartSpec {
  id: string;
  title: string;
  kind: 'bar' | 'line';
  stacked?: boolean;
  /** How values read in the table and tooltips: count, percent (0–1) or hours. */
  unit: 'count' | 'percent' | 'hours';
  labels: string[];
  series: Array<{ name: string; values: Array<number | null> }>;
}

export function reportCharts(r: Report): ChartSpec[] {
  const months = r.byMonth.map((m) => m.label);
  const fields = [...new Set(r.byMonth.flatMap((m) => Object.keys(m.byField)))].sort((a, b) => a.localeCompare(b, 'vi'));
  const rate = (num: number, den: number) => (den ? Math.round((num / den) * 1000) / 1000 : null);
  return [
    {
      id: 'theo-linh-vuc',
      title: 'Phản ánh theo lĩnh vực, từng tháng',
      kind: 'bar',
      stacked: true,
      unit: 'count',
      labels: months,
      series: fields.map((f) => ({ name: f, values: r.byMonth.map((m) => m.byField[f] ?? 0) })),
    },
    {
      id: 'dung-han',
      title: 'Tỷ lệ trả lời đúng hạn, từng tháng',
      kind: 'line',
      unit: 'percent',
      labels: months,
      series: [{ name: 'Đúng hạn', values: r.byMonth.map((m) => onTimeShare(m.onTime, m.due)) }],
    },
    {
      id: 'thoi-gian-tra-loi',
      title: 'Thời gian trả lời trung bình (giờ), từng tháng',
      kind: 'line',
      unit: 'hours',
      labels: months,
      series: [{ name: 'Giờ', values: r.byMonth.map((m) => m.avgHoursToAnswer) }],
    },
    {
      id: 'hai-long',
      title: 'Tỷ lệ người dân hài lòng, từng tháng',
      kind: 'line',
      unit: 'percent',
      labels: months,
      series: [{ name: 'Hài lòng', values: r.byMonth.map((m) => rate(m.satisfied, m.rated)) }],
    },
    {
      id: 'theo-thon',
      title: 'Phản ánh theo thôn',
      kind: 'bar',
      unit: 'count',
      labels: r.byVillage.map((v) => v.name),
      series: [
        { name: 'Tiếp nhận', values: r.byVillage.map((v) => v.received) },
        { name: 'Đã trả lời', values: r.byVillage.map((v) => v.answered) },
      ],
    },
    {
      id: 'phat-song',
      title: 'Lượt bản tin đã tới, theo kênh',
      kind: 'bar',
      unit: 'count',
      labels: ['Telegram', 'Zalo', 'Cụm loa'],
      series: [{ name: 'Lượt đã tới', values: [r.broadcasts.deliveredByChannel.telegram, r.broadcasts.deliveredByChannel.zalo, r.broadcasts.deliveredByChannel.loudspeaker] }],
    },
  ];
}
