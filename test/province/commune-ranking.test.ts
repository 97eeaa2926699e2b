// The province ranking: order by on-time share, then satisfaction, then time to answer; ties share
// a rank; a commune with nothing to answer is listed last and unranked; the spreadsheet carries the
// same rows in the same order.
import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { rankCommunes, rankingChart, type RankingRow } from '../../src/province/commune-ranking.ts';
import { rankingXlsx } from '../../src/province/ranking-xlsx.ts';

const row = (name: string, f: Partial<RankingRow>): RankingRow => ({
  communeId: name, code: name.toLowerCase().replace(/\s+/g, '-'), name, received: 10, eligible: 10, answered: 10, due: 10, onTime: 8, avgHoursToAnswer: 20,
  rated: 5, satisfied: 4, loudspeakersOnline: 3, loudspeakers: 4, bulletinsDelivered: 12, ...f,
});

describe('rankCommunes', () => {
  it('orders by on-time share, then satisfaction, then average time; equal figures share a rank', () => {
    const ranked = rankCommunes([
      row('Xã Chậm', { onTime: 5 }),
      row('Xã Nhanh', { onTime: 8, avgHoursToAnswer: 10 }),
      row('Xã Đúng Hạn', { onTime: 10 }),
      row('Xã Bằng', { onTime: 8, avgHoursToAnswer: 10 }),
      row('Xã Vừa', { onTime: 8 }),
      row('Xã Không Ai Chấm', { onTime: 8, rated: 0, satisfied: 0, avgHoursToAnswer: 1 }),
    ]);
    expect(ranked.map((r) => [r.name, r.rank])).toEqual([
      ['Xã Đúng Hạn', 1],
      ['Xã Bằng', 2],
      ['Xã Nhanh', 2],
      ['Xã Vừa', 4],
      ['Xã Không Ai Chấm', 5],
      ['Xã Chậm', 6],
    ]);
    expect(ranked[0]!.onTimeRate).toBe(1);
    expect(ranked.find((r) => r.name === 'Xã Không Ai Chấm')!.satisfactionRate).toBeNull();
  });

  it('a commune with nothing to answer is last and unranked, not first with 0 of 0', () => {
    const ranked = rankCommunes([row('Xã Trống', { received: 2, eligible: 2, answered: 0, due: 0, onTime: 0, avgHoursToAnswer: null }), row('Xã Có', { onTime: 1 })]);
    expect(ranked.map((r) => [r.name, r.rank, r.onTimeRate])).toEqual([['Xã Có', 1, 0.1], ['Xã Trống', null, null]]);
    expect(rankCommunes([])).toEqual([]);
  });

  it('the chart follows the ranking order, rates rounded, gaps as null', () => {
    const chart = rankingChart(rankCommunes([row('Xã B', { onTime: 2, due: 3 }), row('Xã A', { rated: 0, satisfied: 0 })]));
    expect(chart.labels).toEqual(['Xã A', 'Xã B']);
    expect(chart.series).toEqual([
      { name: 'Trả lời đúng hạn', values: [0.8, 0.667] },
      { name: 'Hài lòng', values: [null, 0.8] },
    ]);
  });
});

describe('rankingXlsx', () => {
  it('one row per commune in ranking order, with the rates as numbers', async () => {
    const rows = rankCommunes([row('Xã Hai', { onTime: 5 }), row('Xã Một', {}), row('Xã Trống', { eligible: 0, due: 0, onTime: 0 })]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await rankingXlsx({ title: 'Xếp hạng các xã — Tỉnh Thử', periodLabel: 'Quý IV năm 2026', rows })) as never);
    const ws = wb.getWorksheet('Xếp hạng')!;
    expect(ws.getCell('A1').value).toBe('Xếp hạng các xã — Tỉnh Thử');
    expect(ws.getRow(4).getCell(1).value).toBe('Hạng');
    const body = [5, 6, 7].map((i) => ws.getRow(i));
    expect(body.map((r) => [r.getCell(1).value, r.getCell(3).value, r.getCell(9).value])).toEqual([
      [1, 'Xã Một', 0.8],
      [2, 'Xã Hai', 0.5],
      ['chưa xếp hạng', 'Xã Trống', null],
    ]);
    expect(ws.getRow(4).getCell(7).value).toBe('Đã đến hạn');
    expect(body[0]!.getCell(13).value).toBe(3);
  });
});
