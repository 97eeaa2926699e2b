// The recognizers that read a message before it may become a ticket, on messages written the way
// residents write them (test/fixtures/shared/questions.dev.jsonl: with and without diacritics, slang,
// particles). Lists of cases rather than single sentences: a rule tuned to one line fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isSmallTalk, understandMessage } from '../../../src/tickets/understanding/small-talk.ts';
import { detectUrgency } from '../../../src/tickets/understanding/urgency.ts';
import { findVillageAnswer, findVillageMention } from '../../../src/tickets/understanding/village-mention.ts';

const dev = readFileSync(new URL('../../fixtures/shared/questions.dev.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as { text: string; category: string });

describe('small talk', () => {
  it.each([
    ['alo', 'greeting'], ['Alo alo', 'greeting'], ['a lô', 'greeting'], ['Xã ơi', 'greeting'], ['xa oi', 'greeting'], ['Chào xã ạ', 'greeting'],
    ['chao ad', 'greeting'], ['Em chào anh chị ạ', 'greeting'], ['Có ai không ạ?', 'greeting'], ['co ai truc khong', 'greeting'], ['Hello', 'greeting'],
    ['Xin chào Ủy ban', 'greeting'], ['ad ơi', 'greeting'], ['UBND xã ơi!!!', 'greeting'],
    ['Cảm ơn', 'thanks'], ['cam on xa nhieu a', 'thanks'], ['Xin cảm ơn Ủy ban!', 'thanks'], ['thanks ad', 'thanks'], ['tks', 'thanks'], ['Cám ơn nhé', 'question'],
    ['Đồng ý', 'consent'], ['đồng ý', 'consent'], ['Đồng ý!', 'consent'], ['DONG Y', 'consent'], ['dong y', 'consent'], ['DY', 'consent'], ['dy', 'consent'],
    ['Tôi đồng ý', 'consent'], ['em đồng ý ạ', 'consent'], ['ok', 'consent'], ['OK', 'consent'], ['oke ạ', 'consent'], ['Okie', 'consent'], ['Vâng', 'consent'],
    ['vâng ạ', 'consent'], ['Dạ vâng', 'consent'], ['Ừ', 'consent'], ['có', 'consent'], ['Được', 'consent'], ['dc', 'consent'], ['đồng ý đồng ý', 'consent'],
    ['ok cảm ơn', 'consent'], ['Không', 'decline'], ['ko đồng ý', 'decline'], ['không đồng ý', 'decline'],
    ['.', 'punctuation'], ['...', 'punctuation'], ['?', 'punctuation'], ['!!!', 'punctuation'], ['  ', 'punctuation'], ['-_-', 'punctuation'],
    ['👍', 'emoji'], ['🙏🙏', 'emoji'], ['😀 !', 'emoji'],
  ])('%j is %s', (text, kind) => {
    // "Cám ơn" folds to "cam on" and is thanks too; kept apart to show the spelling is covered.
    const expected = text === 'Cám ơn nhé' ? 'thanks' : kind;
    expect(understandMessage(text)).toBe(expected);
  });

  it.each([
    'alo cho em hỏi bao giờ tiêm vắc xin',
    'Chào xã, đèn đường thôn 3 hỏng',
    'xã ơi nước máy mất 3 ngày rồi',
    'Cảm ơn xã, nhưng đường vẫn chưa sửa',
    'ok nhưng bao giờ có kết quả?',
    'Thôn 5',
    'không có nước',
    'có ai sửa đèn đường không',
    '5',
  ])('%j is a question', (text) => {
    expect(understandMessage(text)).toBe('question');
  });

  it('no resident question of the dev set is taken for small talk, except the bare greeting', () => {
    const small = dev.filter((q) => isSmallTalk(understandMessage(q.text))).map((q) => q.text);
    expect(small).toEqual(['alo']);
  });
});

describe('urgency', () => {
  it.each([
    'Cháy cỏ lan sang nhà dân, cần người đến gấp!',
    'chay co lan sang nha dan can nguoi den gap',
    'Cột điện đầu ngõ sắp đổ, đề nghị xử lý gấp',
    'cot dien dau ngo sap do roi',
    'Cột điện ở đầu ngõ bị nghiêng sau bão, đề nghị điện lực xử lý gấp.',
    'Nước lũ đang lên nhanh, nhà tôi ngập đến đầu gối',
    'ngap sau qua can cuu ho gap',
    'Sạt lở đất ở taluy dương đường lên bản',
    'sat lo dat tren duong len ban',
    'Nhà văn hóa thôn bị sập một mảng tường',
    'Có cháu bé bị điện giật ở cột điện chợ',
    'co chau be bi dien giat',
    'Hai cháu đi tắm sông bị đuối nước',
    'có người bị thương do cây đổ',
    'Khói bốc lên từ kho, khẩn trương cử người tới ngay',
    'Dây điện đứt rơi xuống đường',
  ])('%j is urgent', (text) => {
    expect(detectUrgency(text).urgent).toBe(true);
  });

  it.each([
    'Bóng đèn đường xóm 5 bị cháy rồi',
    'bong den duong bi chay 3 ngay nay',
    'Cống thoát nước trước nhà văn hóa bị tắc, mưa là ngập.',
    'Xã có hỗ trợ giống ngô cho bà con vùng bị lũ không ạ',
    'Nhà bị tốc mái sau bão số 3 có được xã hỗ trợ không',
    'Mất điện 3 ngày nay, đề nghị sửa gấp',
    'nuoc may nha em 3 ngay nay khong co',
    'Cho em hỏi ngày mai có tiêm vắc xin không',
    'Đèn đường hỏng, đề nghị sửa ngay',
    'lua nha toi bi ray nau',
  ])('%j is not urgent', (text) => {
    expect(detectUrgency(text).urgent).toBe(false);
  });

  it('says which words decided it', () => {
    expect(detectUrgency('Cháy rơm lan sang nhà, đến gấp').cues).toEqual(expect.arrayContaining(['cháy', 'gấp']));
  });

  it('few dev-set questions are urgent, and the pole about to fall is one of them', () => {
    const urgent = dev.filter((q) => detectUrgency(q.text).urgent).map((q) => q.text);
    expect(urgent).toContain('Cột điện ở đầu ngõ bị nghiêng sau bão, đề nghị điện lực xử lý gấp.');
    expect(urgent.length).toBeLessThanOrEqual(3);
  });
});

describe('village in the text', () => {
  const villages = [
    { id: 'v1', name: 'Thôn 1', aliases: [] },
    { id: 'v5', name: 'Thôn 5', aliases: ['đội 5'] },
    { id: 'v12', name: 'Thôn 12', aliases: [] },
    { id: 'vb', name: 'Thôn Bãi Sậy', aliases: ['xóm Bãi'] },
    { id: 'vd', name: 'Thôn Đông', aliases: [] },
    { id: 'vt', name: 'Tổ dân phố 3', aliases: ['tổ 3'] },
    { id: 'va', name: 'Ấp Tân Lợi', aliases: [] },
  ];
  const id = (t: string) => findVillageMention(t, villages)?.id;

  it.each([
    ['nhà em ở thôn 5, đường trước cửa bị sụt', 'v5'],
    ['nha em o thon 5', 'v5'],
    ['Đèn đường xóm 5 hỏng cả tuần nay', 'v5'],
    ['đội 5 mất nước', 'v5'],
    ['Thôn 12 có mấy ca sốt xuất huyết', 'v12'],
    ['thôn 1 chưa có điện', 'v1'],
    ['ở xóm Bãi, rác chưa ai chở', 'vb'],
    ['xom bai say ngap nuoc', 'vb'],
    ['Đoạn đường vào thôn Đông bị sụt lún', 'vd'],
    ['tổ 3 mất điện', 'vt'],
    ['To dan pho 3 co nguoi tu tap', 'vt'],
    ['ấp Tân Lợi bị ngập', 'va'],
    ['ap tan loi', 'va'],
  ])('%j names %s', (text, village) => {
    expect(id(text)).toBe(village);
  });

  it.each([
    'nước máy nhà em 3 ngày nay không có',
    'bãi rác đầu làng bốc mùi',
    'Rác ở bãi tập kết đầu làng 2 tuần chưa ai chở đi',
    'thôn 5 người bị sốt',
    'phòng 5 ủy ban đóng cửa',
    'thôn 1 và thôn 5 cùng mất điện',
    'thôn 9 bị ngập',
    '',
  ])('%j names no single village', (text) => {
    expect(id(text)).toBeUndefined();
  });

  it('an answer to "which village?" may be the bare name', () => {
    expect(findVillageAnswer('5', villages)?.id).toBe('v5');
    expect(findVillageAnswer('thôn 5 ạ', villages)?.id).toBe('v5');
    expect(findVillageAnswer('Bãi Sậy', villages)?.id).toBe('vb');
    expect(findVillageAnswer('không biết', villages)).toBeUndefined();
    expect(findVillageAnswer('ở gần chợ, cạnh trường học cấp hai của xã', villages)).toBeUndefined();
  });
});
