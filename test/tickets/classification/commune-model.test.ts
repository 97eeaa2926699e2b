// A commune's learned classifier against the real PostgreSQL: transfers become examples in their
// own transaction, training versions and activates only what beats the rules and the version in
// use, a worse version in use is rolled back, one commune never touches another's model, bad
// examples are skipped, and two trainers of one commune never collide.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCategories } from '../../../src/catalog/ensure-categories.ts';
import { silentLogger } from '../../../src/logger.ts';
import { createClassifier } from '../../../src/tickets/classification/classifier.ts';
import { builtinRules } from '../../../src/tickets/classification/lexicon.ts';
import { trainClassifierJobId } from '../../../src/tickets/classification/classifier-jobs.ts';
import { loadCommuneExamples } from '../../../src/tickets/classification/commune-examples.ts';
import { naiveBayesModel, parseWeights, trainNaiveBayes, type LabelledText } from '../../../src/tickets/classification/naive-bayes.ts';
import { combine } from '../../../src/tickets/classification/combined-classifier.ts';
import { forgetExamplesOfTickets, recordTransferExample } from '../../../src/tickets/classification/record-example.ts';
import { MAX_FEATURE_CHARS } from '../../../src/tickets/classification/text-features.ts';
import { trainCommuneModel } from '../../../src/tickets/classification/train-commune-model.ts';
import { transferTicket } from '../../../src/tickets/ticket-actions.ts';
import { refreshingClassifier } from '../../../src/tickets/ticket-runtime.ts';
import { createCommune, fileTicket, loadQuestions, replayCommune } from '../../support/commune-simulation.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../../support/services.ts';

const dir = 'test/tickets/classification/';
// The commune's history, and messages it never saw (the tuning sets the rules know least).
const history = ['test/fixtures/shared/questions.dev.jsonl', `${dir}blind-questions.jsonl`, `${dir}earlier-questions.jsonl`, `${dir}fresh-questions.jsonl`].flatMap(loadQuestions);
const unseen = [`${dir}holdout-questions.jsonl`, `${dir}blind4-questions.jsonl`].flatMap(loadQuestions);

// What no lexicon knows: this commune's own names. Residents ask about the local charity fund
// (policy support) and the river ferry (infrastructure); staff keep moving those tickets there.
const local = (n: number) => [
  { text: `Quỹ Hoa Sen bao giờ phát đợt ${n} ạ`, category: 'CHINH_SACH' },
  { text: `danh sach quy hoa sen dot ${n} co ten nha toi khong`, category: 'CHINH_SACH' },
  { text: `Nhà tôi được quỹ Hoa Sen xét đợt ${n} chưa`, category: 'CHINH_SACH' },
  { text: `Bến đò Cồn Vàng chuyến ${n} giờ sáng có chạy không`, category: 'HA_TANG' },
  { text: `do con vang chuyen ${n} gio cho qua tai`, category: 'HA_TANG' },
];
const localHistory = Array.from({ length: 10 }, (_, i) => local(i + 1)).flat();
const localNew = Array.from({ length: 4 }, (_, i) => local(i + 20)).flat();

const rules = createClassifier(builtinRules());
/** A trainer that learns the wrong fields: every label moved to the next field. */
const shuffledTrainer = (rows: LabelledText[]) => {
  const codes = [...new Set(rows.map((r) => r.category))].sort();
  return trainNaiveBayes(rows.map((r) => ({ text: r.text, category: codes[(codes.indexOf(r.category) + 1) % codes.length]! })));
};

let db: MigratedTestDatabase;
let a: Awaited<ReturnType<typeof createCommune>>;
let b: Awaited<ReturnType<typeof createCommune>>;
beforeAll(async () => {
  db = await openMigratedTestDatabase('classifier');
  await ensureCategories(db.prisma);
  a = await createCommune(db.prisma, 'XA-A');
  b = await createCommune(db.prisma, 'XA-B');
}, 180_000);
afterAll(async () => {
  await db?.close();
});

const activeOf = (communeId: string) => db.prisma.classifierModel.findFirst({ where: { communeId, active: true } });

describe('examples from "Chuyển lĩnh vực"', () => {
  it('records the text, both fields, who and when, in the transfer transaction', async () => {
    const t = await fileTicket(db.prisma, a, 'Nhà tôi có người già cần hỏi việc khám bệnh', 'KHAC');
    const at = new Date('2026-12-01T03:00:00Z');
    // The transfer fails after its work: neither the move nor the example remains.
    await expect(
      db.prisma.$transaction(async (tx) => {
        await transferTicket(tx, t.id, a.staffId, 'Y tế, bảo hiểm y tế', at);
        throw new Error('later step failed');
      }),
    ).rejects.toThrow('later step failed');
    expect(await db.prisma.classificationExample.count({ where: { ticketId: t.id } })).toBe(0);

    const r = await db.prisma.$transaction((tx) => transferTicket(tx, t.id, a.staffId, 'Y tế, bảo hiểm y tế', at));
    expect(r.ok).toBe(true);
    const ex = await db.prisma.classificationExample.findMany({ where: { ticketId: t.id } });
    expect(ex).toEqual([
      expect.objectContaining({ communeId: a.communeId, text: 'Nhà tôi có người già cần hỏi việc khám bệnh', fromCategory: 'KHAC', toCategory: 'Y_TE', staffId: a.staffId, createdAt: at }),
    ]);
    // Moving to the field it already has teaches nothing; a note to an outside agency is no field.
    await db.prisma.$transaction((tx) => transferTicket(tx, t.id, a.staffId, 'Y_TE', at));
    expect(await db.prisma.classificationExample.count({ where: { ticketId: t.id } })).toBe(1);
  });

  it('keeps no example for a ticket without text, and asks for a training after enough new ones', async () => {
    const photo = await db.prisma.ticket.create({
      data: { code: 'SIM-PHOTO', communeId: b.communeId, year: 2026, seq: 99_001, residentId: b.residentId, channel: 'webchat', status: 'new', messages: { create: { direction: 'inbound', channel: 'webchat', attachments: [{ kind: 'photo' }] } } },
    });
    const r = await db.prisma.$transaction((tx) => recordTransferExample(tx, { communeId: b.communeId, ticketId: photo.id, fromCategory: null, toCategory: 'HA_TANG', staffId: b.staffId, at: new Date(), retrainAfter: 2 }));
    expect(r).toEqual([]);
    expect(await db.prisma.classificationExample.count({ where: { communeId: b.communeId } })).toBe(0);

    const t1 = await fileTicket(db.prisma, b, 'Đèn đường xóm Bãi hỏng', 'KHAC');
    const t2 = await fileTicket(db.prisma, b, 'Đường vào thôn ngập', 'KHAC');
    const first = await db.prisma.$transaction((tx) => recordTransferExample(tx, { communeId: b.communeId, ticketId: t1.id, fromCategory: 'KHAC', toCategory: 'HA_TANG', staffId: b.staffId, at: new Date(), retrainAfter: 2 }));
    expect(first).toEqual([]);
    const second = await db.prisma.$transaction((tx) => recordTransferExample(tx, { communeId: b.communeId, ticketId: t2.id, fromCategory: 'KHAC', toCategory: 'HA_TANG', staffId: b.staffId, at: new Date(), retrainAfter: 2 }));
    // One job id per commune: a burst of transfers asks for one training.
    expect(second).toEqual([expect.objectContaining({ data: { communeId: b.communeId }, jobId: trainClassifierJobId(b.communeId) })]);
  });
});

describe('training', () => {
  it('trains nothing on too few examples', async () => {
    const r = await trainCommuneModel({ prisma: db.prisma, communeId: b.communeId, rules });
    expect(r).toMatchObject({ trained: false, reason: 'too_few_examples' });
    expect(await db.prisma.classifierModel.count({ where: { communeId: b.communeId } })).toBe(0);
  });

  it('activates a first version that beats the rules on held-back examples, and helps on messages it never saw', async () => {
    const replay = await replayCommune(db.prisma, a, [...history, ...localHistory], rules);
    expect(replay.moved).toBeGreaterThan(0);
    const r = await trainCommuneModel({ prisma: db.prisma, communeId: a.communeId, rules });
    if (!r.trained) throw new Error('not trained');
    expect(r).toMatchObject({ version: 1, activated: true, decision: 'activated', activeAccuracy: null });
    expect(r.heldOutAccuracy).toBeGreaterThanOrEqual(r.rulesAccuracy);
    expect(r.examples + r.heldBack).toBeGreaterThanOrEqual(history.length + localHistory.length);
    expect(r.heldOutAccuracy).toBeGreaterThan(r.rulesAccuracy);
    expect(r.builtinAccuracy).not.toBeNull();
    expect(r.heldOutAccuracy).toBeGreaterThanOrEqual(r.builtinAccuracy!);
    const row = await activeOf(a.communeId);
    expect(row).toMatchObject({ version: 1, exampleCount: r.examples, heldOutCount: r.heldBack, heldOutAccuracy: r.heldOutAccuracy, decision: 'activated' });
    expect(row!.activatedAt).not.toBeNull();

    // On questions it never saw, the commune's model with the rules does at least as well as the
    // rules alone (the built-in model left out: it was trained on these very questions).
    const model = naiveBayesModel(parseWeights((await activeOf(a.communeId))!.weights)!);
    const share = (decide: (t: string) => string) => unseen.filter((q) => decide(q.text) === q.category).length / unseen.length;
    expect(share((t) => combine(rules.classify(t), model, t).category)).toBeGreaterThanOrEqual(share((t) => rules.classify(t).category));

    // What intake uses: this commune gets its model; another commune does not.
    const live = await refreshingClassifier(db.prisma, silentLogger);
    try {
      const acc = (rows: typeof unseen, communeId?: string) => rows.filter((q) => live.classify(q.text, communeId ? { communeId } : {}).category === q.category).length / rows.length;
      expect(acc(unseen, b.communeId)).toBe(acc(unseen));
      expect(unseen.some((q) => live.classify(q.text, { communeId: b.communeId }).decidedBy === 'model')).toBe(false);
      // The commune's own words, in messages it never saw: the model knows them, the rules do not.
      expect(acc(localNew)).toBeLessThan(0.5);
      expect(acc(localNew, a.communeId)).toBe(1);
      expect(live.classify(localNew[0]!.text, { communeId: a.communeId }).decidedBy).toBe('model');
    } finally {
      live.stop();
    }
  }, 180_000);

  it('keeps a worse version without activating it', async () => {
    const before = await activeOf(a.communeId);
    const r = await trainCommuneModel({ prisma: db.prisma, communeId: a.communeId, rules, trainer: shuffledTrainer });
    if (!r.trained) throw new Error('not trained');
    expect(r.version).toBe(2);
    expect(r.activated).toBe(false);
    expect(['worse_than_rules', 'worse_than_active']).toContain(r.decision);
    expect(r.rolledBack).toBeNull();
    expect(r.activeAccuracy).toBe(before!.heldOutAccuracy);
    expect((await activeOf(a.communeId))?.id).toBe(before!.id);
    expect(await db.prisma.classifierModel.findUnique({ where: { communeId_version: { communeId: a.communeId, version: 2 } } })).toMatchObject({ active: false, decision: r.decision });
  });

  it('rolls back a version in use that scores worse than the rules alone', async () => {
    // A bad version slipped in (trained before the commune's words changed, say).
    const bad = shuffledTrainer(history.map((q) => ({ text: q.text, category: q.category })));
    await db.prisma.$transaction([
      db.prisma.classifierModel.updateMany({ where: { communeId: a.communeId, active: true }, data: { active: false } }),
      db.prisma.classifierModel.create({
        data: { communeId: a.communeId, version: 3, exampleCount: 1, heldOutCount: 1, heldOutAccuracy: 1, modelAccuracy: 1, rulesAccuracy: 0, active: true, decision: 'activated', weights: bad as never },
      }),
    ]);
    const r = await trainCommuneModel({ prisma: db.prisma, communeId: a.communeId, rules, trainer: shuffledTrainer });
    if (!r.trained) throw new Error('not trained');
    expect(r).toMatchObject({ version: 4, activated: false, decision: 'worse_than_rules', rolledBack: 3 });
    expect(await activeOf(a.communeId)).toBeNull();
    expect(await db.prisma.classifierModel.findUnique({ where: { communeId_version: { communeId: a.communeId, version: 3 } } })).toMatchObject({ active: false, decision: 'rolled_back' });

    // A good version takes over again.
    const good = await trainCommuneModel({ prisma: db.prisma, communeId: a.communeId, rules });
    expect(good).toMatchObject({ trained: true, version: 5, activated: true, activeAccuracy: null });
  });

  it("never lets one commune's transfers change another's model", async () => {
    const aBefore = await activeOf(a.communeId);
    const aExamples = await db.prisma.classificationExample.count({ where: { communeId: a.communeId } });
    // Commune B's staff file everything about roads under farming (their own way of working).
    const bRows = history.slice(0, 120).map((q) => ({ text: q.text, category: q.category === 'HA_TANG' ? 'NONG_NGHIEP' : q.category }));
    await replayCommune(db.prisma, b, bRows, rules);
    const rb = await trainCommuneModel({ prisma: db.prisma, communeId: b.communeId, rules });
    expect(rb).toMatchObject({ trained: true, version: 1 });
    expect(await db.prisma.classificationExample.count({ where: { communeId: a.communeId } })).toBe(aExamples);
    const ra = await trainCommuneModel({ prisma: db.prisma, communeId: a.communeId, rules });
    if (!ra.trained) throw new Error('not trained');
    const aAfter = await db.prisma.classifierModel.findUniqueOrThrow({ where: { id: ra.modelId } });
    // The same examples train the same weights, whatever B did.
    expect(aAfter.weights).toEqual(aBefore!.weights);
    expect(aAfter.exampleCount).toBe(aBefore!.exampleCount);
  }, 180_000);

  it('skips examples with an unknown field or no text, and reads only the start of a huge one', async () => {
    const huge = `Đường bê tông bị nứt. ${'rất dài '.repeat(30_000)}`;
    const t = await fileTicket(db.prisma, b, 'x', 'KHAC');
    await db.prisma.classificationExample.createMany({
      data: [
        { communeId: b.communeId, text: 'Một việc của lĩnh vực đã bỏ', toCategory: 'KHONG_CO_MA_NAY', fromCategory: 'KHAC' },
        { communeId: b.communeId, text: '   ', toCategory: 'HA_TANG' },
        { communeId: b.communeId, ticketId: t.id, text: huge, toCategory: 'HA_TANG' },
      ],
    });
    const loaded = await loadCommuneExamples(db.prisma, b.communeId);
    expect(loaded.skipped).toBeGreaterThanOrEqual(2);
    expect(loaded.examples.some((e) => e.category === 'KHONG_CO_MA_NAY')).toBe(false);
    const long = loaded.examples.find((e) => e.key === t.id)!;
    expect(long.text.length).toBe(MAX_FEATURE_CHARS);
    const r = await trainCommuneModel({ prisma: db.prisma, communeId: b.communeId, rules });
    expect(r.trained).toBe(true);
  });

  it('two trainers of one commune at once make two versions, one after the other, and one active', async () => {
    const last = (await db.prisma.classifierModel.findFirstOrThrow({ where: { communeId: a.communeId }, orderBy: { version: 'desc' } })).version;
    const [x, y] = await Promise.all([trainCommuneModel({ prisma: db.prisma, communeId: a.communeId, rules }), trainCommuneModel({ prisma: db.prisma, communeId: a.communeId, rules })]);
    if (!x.trained || !y.trained) throw new Error('not trained');
    expect([x.version, y.version].sort()).toEqual([last + 1, last + 2]);
    expect(await db.prisma.classifierModel.count({ where: { communeId: a.communeId, active: true } })).toBe(1);
  });

  it("forgets the words of a resident who erased their data: their examples, and their answered tickets", async () => {
    const c = await createCommune(db.prisma, 'XA-ERASE');
    const t = await fileTicket(db.prisma, c, 'Nhà ông Ba ở xóm Bãi lấn đường đi chung', 'KHAC');
    await db.prisma.$transaction((tx) => transferTicket(tx, t.id, c.staffId, 'DAT_DAI', new Date()));
    const answered = await fileTicket(db.prisma, c, 'Đèn đường xóm Bãi hỏng', 'HA_TANG');
    await db.prisma.ticket.update({ where: { id: answered.id }, data: { status: 'answered', answeredAt: new Date() } });
    expect((await loadCommuneExamples(db.prisma, c.communeId)).examples.map((e) => e.source).sort()).toEqual(['accepted', 'transfer']);

    await db.prisma.$transaction(async (tx) => {
      expect(await forgetExamplesOfTickets(tx, [t.id, answered.id])).toBe(1);
      await tx.resident.update({ where: { id: c.residentId }, data: { erasedAt: new Date() } });
    });
    expect((await loadCommuneExamples(db.prisma, c.communeId)).examples).toEqual([]);
  });
});
