// Graceful shutdown on SIGINT/SIGTERM: stop taking work, finish or release what is running,
// close connections, exit 0. A second signal, or a stop that overruns, exits at once with 1.
import type { Logger } from '../logger.ts';

export function waitForSignal(log: Logger, stop: () => Promise<void>, timeoutMs: number): Promise<never> {
  return new Promise<never>(() => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn({ signal }, 'nhận tín hiệu lần hai: dừng ngay');
        process.exit(1);
      }
      stopping = true;
      log.info({ signal }, 'đang dừng: không nhận việc mới, chờ việc đang chạy');
      // The budget covers the queue drain plus closing servers; beyond it something hangs.
      const timer = setTimeout(() => {
        log.error({ timeoutMs }, 'dừng quá lâu: thoát cưỡng bức');
        process.exit(1);
      }, timeoutMs + 5000);
      timer.unref();
      stop().then(
        () => {
          log.info('đã dừng');
          process.exit(0);
        },
        (e: unknown) => {
          log.error({ err: e }, 'lỗi khi dừng');
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
