// The messaging channels that receive on their own (Telegram long polling; Zalo's listener to
// come). The web chat and a Telegram webhook receive through the web role instead. With nothing
// configured the role idles and says so, so an operator who expected a channel sees why.
import type { Runtime } from './runtime.ts';
import type { RunningRole } from './run-roles.ts';
import { processChannels } from './channels.ts';

export async function startBotsRole(rt: Runtime): Promise<RunningRole> {
  const channels = await processChannels(rt);
  const started: Array<{ name: string; stop(): Promise<void> }> = [];
  const tg = channels.telegram;
  if (tg && !rt.settings.PUBLIC_BASE_URL) {
    await tg.start(await channels.handlersFor('telegram', tg.accountId));
    started.push({ name: 'telegram', stop: () => tg.stop() });
  }
  if (started.length === 0) rt.log.info('bots: chưa có kênh tự nhận tin (đặt TELEGRAM_BOT_TOKEN; xem README: kết nối Telegram, Zalo)');
  else rt.log.info({ channels: started.map((s) => s.name) }, 'đã bật các kênh nhắn tin');
  return {
    stop: async () => {
      for (const s of started.reverse()) await s.stop();
    },
  };
}
