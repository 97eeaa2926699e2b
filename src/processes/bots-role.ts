// The messaging channels (Telegram, Zalo, web chat inbound). Each adapter that is configured is
// started here and stopped in reverse order; with none configured the role idles and says so,
// so an operator who expected a channel sees why it is not there.
import type { Runtime } from './runtime.ts';
import type { RunningRole } from './run-roles.ts';

export interface ChannelStarter {
  name: string;
  /** Returns undefined when the channel is not configured. */
  start(rt: Runtime): Promise<RunningRole | undefined>;
}

// Adapters register themselves here as they are built (bots/telegram, bots/zalo).
export const channelStarters: ChannelStarter[] = [];

export async function startBotsRole(rt: Runtime): Promise<RunningRole> {
  const running: Array<{ name: string; role: RunningRole }> = [];
  for (const starter of channelStarters) {
    const role = await starter.start(rt);
    if (role) running.push({ name: starter.name, role });
  }
  if (running.length === 0) rt.log.info('chưa bật kênh nhắn tin nào (xem README: kết nối Telegram, Zalo)');
  else rt.log.info({ channels: running.map((r) => r.name) }, 'đã bật các kênh nhắn tin');
  return {
    stop: async () => {
      for (const { role } of running.reverse()) await role.stop();
    },
  };
}
