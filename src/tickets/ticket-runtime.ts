// Builds the ticket domain's dependencies for a process: the classifier (built-in rules plus the
// rules staff edit in the database), the working-time calendar, the queues, the settings.
import type { PrismaClient } from '../db/generated/client.ts';
import type { Logger } from '../logger.ts';
import type { Settings } from '../config/settings.ts';
import { createClassifier, type ClassifierRule, type Classifier as RulesClassifier } from './classification/classifier.ts';
import { builtinRules } from './classification/lexicon.ts';
import { combine } from './classification/combined-classifier.ts';
import { loadActiveModels, type LoadedModel } from './classification/commune-models.ts';
import { builtinModel } from './classification/builtin-model.ts';
import { createWorkingCalendar, type WorkingCalendar } from '../calendar/working-time.ts';
import { slaDeadlines } from '../calendar/sla.ts';
import { defaultTicketPolicy, type CancelJob, type Classifier, type DeadlinePlanner, type Enqueue, type TicketDeps } from './ticket-deps.ts';

// Staff edits to the rules, and a newly activated model, take effect within this time in every process.
const RULES_REFRESH_MS = 60_000;

export async function loadClassifier(prisma: PrismaClient, log: Logger): Promise<RulesClassifier> {
  const rows = await prisma.classificationRule.findMany({ where: { active: true }, include: { category: true } });
  const dbRules: ClassifierRule[] = rows.map((r) => ({ categoryCode: r.category.code, kind: r.kind, pattern: r.pattern, weight: r.weight }));
  return createClassifier([...builtinRules(), ...dbRules], {
    onInvalidRule: (rule, reason) => log.warn({ pattern: rule.pattern, reason }, 'bỏ qua luật phân loại không hợp lệ'),
  });
}

/**
 * A classifier that reloads the database rules and the communes' active models now and then,
 * never blocking a message on it: rules, the commune's model if it has one, the built-in model.
 */
export async function refreshingClassifier(prisma: PrismaClient, log: Logger): Promise<Classifier & { stop(): void }> {
  let current = await loadClassifier(prisma, log);
  let models: Map<string, LoadedModel> = await loadActiveModels(prisma, new Map(), log);
  const builtin = builtinModel();
  const timer = setInterval(() => {
    loadClassifier(prisma, log).then(
      (c) => (current = c),
      (e: Error) => log.warn({ err: e.message }, 'không tải lại được luật phân loại'),
    );
    loadActiveModels(prisma, models, log).then(
      (m) => (models = m),
      (e: Error) => log.warn({ err: e.message }, 'không tải lại được mô hình phân loại'),
    );
  }, RULES_REFRESH_MS);
  timer.unref();
  return {
    classify: (text, ctx) => {
      const model = ctx?.communeId ? (models.get(ctx.communeId)?.model ?? null) : null;
      const r = combine(current.classify(text), model, text, { builtin });
      return { category: r.category, score: r.score, decidedBy: r.decidedBy };
    },
    stop: () => clearInterval(timer),
  };
}

/** Deadlines in working time of the commune's own time zone (one calendar per zone, built once). */
export function deadlinePlanner(): DeadlinePlanner {
  const calendars = new Map<string, WorkingCalendar>();
  const calendarOf = (timezone: string) => {
    let c = calendars.get(timezone);
    if (!c) calendars.set(timezone, (c = createWorkingCalendar({ timezone })));
    return c;
  };
  return {
    plan: (receivedAt, o) =>
      slaDeadlines(
        { receivedAt, priority: o.priority, receiveWorkingHours: o.receiveWorkingHours, answerWorkingDays: o.answerWorkingDays, urgentWorkingHours: o.urgentWorkingHours },
        calendarOf(o.timezone),
      ),
  };
}

export function ticketPolicy(settings: Settings): TicketDeps['policy'] {
  return {
    ...defaultTicketPolicy,
    followUpWindowMs: settings.TICKET_FOLLOWUP_HOURS * 3600_000,
    burstWindowMs: settings.TICKET_BURST_SECONDS * 1000,
    messagesPerMinute: settings.RESIDENT_MESSAGES_PER_MINUTE,
    receiveWorkingHours: settings.SLA_RECEIVE_WORKING_HOURS,
    answerWorkingDays: settings.SLA_ANSWER_WORKING_DAYS,
    urgentWorkingHours: settings.SLA_URGENT_WORKING_HOURS,
  };
}

export async function createTicketDeps(p: { prisma: PrismaClient; log: Logger; settings: Settings; enqueue: Enqueue; cancelJob: CancelJob; concurrentConnections?: boolean }): Promise<TicketDeps & { stop(): void }> {
  const classifier = await refreshingClassifier(p.prisma, p.log);
  return {
    prisma: p.prisma,
    concurrentConnections: p.concurrentConnections ?? true,
    log: p.log,
    classifier,
    deadlines: deadlinePlanner(),
    enqueue: p.enqueue,
    cancelJob: p.cancelJob,
    policy: ticketPolicy(p.settings),
    now: () => new Date(),
    stop: () => classifier.stop(),
  };
}
