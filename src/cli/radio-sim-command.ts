// `loaxa radio-sim`: runs the loudspeaker simulator as its own process for the endpoints of
// protocol "simulator" (the demo's, or ones staff add for a trial), points them at it, and reports
// to the web server's callback. `npm start` runs the same simulator inside the web role; this is
// for the separate-process layout and for trying a loudspeaker setup before buying hardware.
import type { Settings } from '../config/settings.ts';
import type { Logger } from '../logger.ts';
import { openRuntime } from '../processes/runtime.ts';
import { waitForSignal } from '../processes/wait-for-signal.ts';
import { RadioSimulator } from '../../broadcasts/radio/radio-simulator.ts';
import { demoLoudspeakerKey, publicBaseUrl } from '../processes/broadcast-runtime.ts';
import { simulatorSecret } from '../../broadcasts/radio/endpoint-secret.ts';
import { OperatorError } from '../processes/operator-error.ts';

export async function runRadioSim(p: { settings: Settings; log: Logger; port: number; host: string }): Promise<number> {
  const rt = await openRuntime(p.settings, p.log, { redis: false });
  const endpoints = await rt.db.prisma.endpoint.findMany({ where: { protocol: 'simulator' } });
  if (endpoints.length === 0) {
    await rt.close();
    throw new OperatorError('Không có cụm loa nào dùng giao thức "simulator" để mô phỏng.');
  }
  const base = publicBaseUrl(p.settings).replace(/\/$/, '');
  const demoKey = await demoLoudspeakerKey(p.settings);
  const sim = new RadioSimulator(endpoints.map((e) => ({ id: e.id, secret: simulatorSecret(demoKey, e.id), callbackUrl: `${base}/radio/callback/${e.id}` })));
  await sim.start(p.port, p.host);
  for (const e of endpoints) await rt.db.prisma.endpoint.update({ where: { id: e.id }, data: { baseUrl: sim.urlOf(e.id) } });
  process.stdout.write(`Loa mô phỏng đang chạy tại ${sim.baseUrl} cho ${endpoints.length} cụm loa:\n${endpoints.map((e) => `  ${e.name}`).join('\n')}\n`);
  return waitForSignal(
    p.log,
    async () => {
      await sim.close();
      await rt.close();
    },
    p.settings.SHUTDOWN_TIMEOUT_MS,
  );
}
