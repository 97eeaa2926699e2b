// `npm start` with a Telegram bot, killed hard (SIGKILL) mid-flight: nothing a resident sent is
// lost, nothing is answered twice. Embedded PostgreSQL and the private Redis, as on a single box.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeBotApi } from '../support/telegram-bot-api/fake-bot-api.ts';
import { freePort, spawnLoaxa, waitForHttp, type Running } from '../support/spawn-loaxa.ts';

const ADMIN_CHAT = -100555;
const RESIDENT = 4242;
let api: FakeBotApi;
const dataDir = mkdtempSync(join(tmpdir(), 'loaxa-crash-'));
const running: Running[] = [];

beforeAll(async () => {
  api = new FakeBotApi();
  await api.start();
});
afterAll(async () => {
  for (const r of running) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  await api?.close();
});

async function start(): Promise<Running> {
  const port = await freePort();
  const r = spawnLoaxa(['start'], {
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    DEMO_PASSWORD: 'MatKhauMau2026',
    TELEGRAM_BOT_TOKEN: api.token,
    TELEGRAM_API_ROOT: api.apiRoot,
    TELEGRAM_ADMIN_CHAT_ID: String(ADMIN_CHAT),
    LOG_LEVEL: 'warn',
  });
  running.push(r);
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, 200, 60_000, () => r.child.exitCode === null);
  return r;
}

const acksTo = (user: number) => api.sentTo(user).filter((m) => m.text?.includes('Mã số:'));
const codesOf = (acks: { text?: string }[]) => acks.map((m) => /PA-\d{4}-\d{5}/.exec(m.text!)![0]);
// The admin chat also gets the demo history's open tickets and overdue notices first, paced at 20
// messages a minute per group (a minute or more on a fresh demo): look for this resident's.
const postedInAdminChat = (code: string) => api.sentTo(ADMIN_CHAT).filter((m) => m.text?.startsWith(`🆕 ${code}`)).length;
const acknowledgedAndPosted = (n: number) => {
  const codes = codesOf(acksTo(RESIDENT));
  return codes.length >= n && codes.every((c) => postedInAdminChat(c) >= 1);
};

describe('a hard crash of the single-box process', () => {
  it('loses no message and answers none twice', async () => {
    const first = await start();
    api.residentSends({ userId: RESIDENT, text: '/start' });
    const prompt = await api.waitFor(() => api.sentTo(RESIDENT).find((m) => m.text?.includes('đồng ý')), 30_000);
    const agree = prompt.replyMarkup!.inline_keyboard.flat().find((b) => b.text === 'Tôi đồng ý')!;
    api.pressButton({ chatId: RESIDENT, messageId: prompt.messageId, userId: RESIDENT, data: agree.callback_data });
    api.residentSends({ userId: RESIDENT, text: 'Đèn đường đầu thôn 2 không sáng' });
    await api.waitFor(() => acknowledgedAndPosted(1), 150_000).catch((e: Error) => {
      throw new Error(`${e.message}; sent: ${JSON.stringify(api.sent.map((m) => [m.chatId, m.text?.slice(0, 40)]))}; calls: ${api.calls.map((c) => c.method).slice(-10).join(',')}; stderr: ${first.stderr().slice(-2000)}; stdout: ${first.stdout().slice(-3000)}`);
    });

    // Killed without warning; a resident writes while it is down.
    first.child.kill('SIGKILL');
    await first.exited;
    api.residentSends({ userId: RESIDENT, text: '/moi' });
    api.residentSends({ userId: RESIDENT, text: 'Thẻ bảo hiểm y tế của mẹ tôi hết hạn, gia hạn ở đâu?' });

    const second = await start();
    await api.waitFor(() => acknowledgedAndPosted(2), 150_000);
    // Give a duplicate every chance to appear.
    await new Promise((r) => setTimeout(r, 2000));
    const acks = codesOf(acksTo(RESIDENT));
    expect(acks).toHaveLength(2);
    expect(new Set(acks).size).toBe(2);
    for (const code of acks) expect(postedInAdminChat(code), code).toBe(1);
    expect(api.pendingUpdates).toBe(0);

    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  }, 400_000);
});
