// The messaging channels that receive on their own (Telegram long polling: the TELEGRAM_BOT_TOKEN
// shortcut and every commune's bot from the database; one listener per Zalo account). The web chat and a Telegram webhook receive through the web role instead. With nothing
// configured the role idles and says so, so an operator who expected a channel sees why. Zalo
// rotates cookies: the current ones are saved (encrypted) every half hour and at stop.
import type { Runtime } from './runtime.ts';
import type { RunningRole } from './run-roles.ts';
import { processChannels } from './channels.ts';
import type { ZaloChannel } from '../../bots/zalo/zalo-channel.ts';
import type { ZaloCredentials } from '../../bots/zalo/zalo-api.ts';
import { NEEDS_QR, openZaloCredentials, saveZaloCredentials } from '../channels/zalo-accounts.ts';

/** Zalo rotates its cookies while the account is in use: keep the newest, so a restart logs in. */
async function saveRotatedCookies(rt: Runtime, channel: ZaloChannel): Promise<void> {
  const api = channel.currentApi();
  if (!api || !rt.settings.ENCRYPTION_KEY) return;
  const row = await rt.db.prisma.channelAccount.findUniqueOrThrow({ where: { platform_name: { platform: 'zalo', name: channel.accountId } } });
  const saved = openZaloCredentials<ZaloCredentials>(rt.settings.ENCRYPTION_KEY, row);
  const cookie = api.getCookie().toJSON()?.cookies ?? [];
  if (cookie.length === 0) return;
  await saveZaloCredentials(rt.db.prisma, rt.settings.ENCRYPTION_KEY, channel.accountId, { ...saved, cookie });
}

export async function startBotsRole(rt: Runtime): Promise<RunningRole> {
  const channels = await processChannels(rt);
  const started: Array<{ name: string; stop(): Promise<void> }> = [];
  const tg = channels.telegram;
  if (tg && !rt.settings.PUBLIC_BASE_URL) {
    await tg.start(await channels.handlersFor('telegram', tg.accountId));
    started.push({ name: 'telegram', stop: () => tg.stop() });
  }
  const zb = channels.zaloBot;
  if (zb && !rt.settings.PUBLIC_BASE_URL) {
    await zb.start(await channels.handlersFor('zalo_bot', zb.accountId));
    started.push({ name: 'zalo_bot', stop: () => zb.stop() });
  }
  // Every commune's bot from the database, polled here (webhooks are the web role's), and those
  // added or removed later, without a restart.
  if (!rt.settings.PUBLIC_BASE_URL) {
    await channels.fleet.receive('polling');
    started.push({ name: 'commune-bots', stop: () => channels.fleet.stopReceiving() });
  }
  for (const { channel, status } of channels.zalo) {
    if (NEEDS_QR.includes(status)) {
      rt.log.warn({ account: channel.accountId, status }, 'Zalo: tài khoản cần đăng nhập lại bằng mã QR (loaxa zalo login), chưa bật');
      continue;
    }
    await channel.start(await channels.handlersFor('zalo', channel.accountId));
    const save = () => saveRotatedCookies(rt, channel).catch((e: Error) => rt.log.warn({ err: e.message }, 'Zalo: chưa lưu được cookie mới'));
    const timer = setInterval(save, 30 * 60_000);
    timer.unref();
    started.push({
      name: `zalo:${channel.accountId}`,
      stop: async () => {
        clearInterval(timer);
        await save();
        await channel.stop();
      },
    });
  }
  if (started.length === 0 || (started.length === 1 && channels.fleet.list().length === 0)) rt.log.info('bots: chưa có kênh tự nhận tin (thêm bot bằng loaxa channels add hoặc trang quản trị, hay đặt TELEGRAM_BOT_TOKEN / ZALO_BOT_TOKEN; xem README: kết nối Telegram, Zalo)');
  else rt.log.info({ channels: started.map((s) => s.name), communeBots: channels.fleet.list().length }, 'đã bật các kênh nhắn tin');
  return {
    stop: async () => {
      for (const s of started.reverse()) await s.stop();
    },
  };
}
