// Named dependency checks behind /healthz, the `loaxa_dependency_up` metric and `loaxa doctor`.
// Checks run side by side, each under its own timeout, so one dependency that hangs cannot make
// the whole health endpoint hang (load balancers give up after a few seconds and would then take a
// healthy process out of rotation).
import type { Logger } from '../logger.ts';

export type HealthStatus = 'ok' | 'degraded' | 'down' | 'off';

export interface HealthResult {
  /** 'off': not configured (a commune may use only some channels). */
  status: HealthStatus;
  /** Short Vietnamese explanation for the operator; never a secret, a URL or a raw error. */
  detail?: string;
  latencyMs: number;
  /** Which implementation answered, when there are several (database: 'postgres' | 'pglite'). */
  kind?: string;
}

/** What a check returns; latency is measured by the registry unless the check knows better. */
export type HealthOutcome = Omit<HealthResult, 'latencyMs'> & { latencyMs?: number };

export type HealthCheck = () => Promise<HealthOutcome>;

export interface RegisterOptions {
  /** A critical dependency that is not 'ok' makes the process unhealthy (HTTP 503). */
  critical: boolean;
  /** Overrides the registry's default timeout for this check. */
  timeoutMs?: number;
  /**
   * Reuse the last result for this long. For checks that call someone else's servers (Telegram
   * getMe): a load balancer probing every few seconds must not turn into traffic to them.
   */
  cacheMs?: number;
}

export interface DependencyReport extends HealthResult {
  critical: boolean;
}

export interface HealthReport {
  /** ok: everything ok or off; degraded: critical ok, something optional failing; down: a critical one is not ok. */
  status: 'ok' | 'degraded' | 'down';
  /** True when every critical dependency is ok (HTTP 200 on /healthz). */
  healthy: boolean;
  checkedAt: string;
  dependencies: Record<string, DependencyReport>;
}

export interface HealthRegistryOptions {
  defaultTimeoutMs?: number;
  log?: Logger;
}

interface Entry {
  check: HealthCheck;
  critical: boolean;
  timeoutMs: number;
  cacheMs: number;
  inFlight?: Promise<HealthOutcome>;
  cached?: { at: number; result: HealthResult };
}

// Dependencies are fields of the /healthz body next to these.
const RESERVED = new Set(['status', 'checkedAt', 'healthy', 'dependencies']);
const NAME = /^[a-z][A-Za-z0-9_]{0,39}$/;

export const TIMEOUT_DETAIL = 'không phản hồi';
export const FAILED_DETAIL = 'lỗi khi kiểm tra';

export class HealthRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly defaultTimeoutMs: number;
  private readonly log: Logger | undefined;

  constructor(opts: HealthRegistryOptions = {}) {
    this.defaultTimeoutMs = opts.defaultTimeoutMs ?? 2000;
    this.log = opts.log;
  }

  register(name: string, check: HealthCheck, opts: RegisterOptions): this {
    if (!NAME.test(name) || RESERVED.has(name)) throw new Error(`invalid health check name: ${name}`);
    if (this.entries.has(name)) throw new Error(`health check already registered: ${name}`);
    this.entries.set(name, {
      check,
      critical: opts.critical,
      timeoutMs: opts.timeoutMs ?? this.defaultTimeoutMs,
      cacheMs: opts.cacheMs ?? 0,
    });
    return this;
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  /** Runs every check (in parallel) and summarises. Never throws. */
  async run(): Promise<HealthReport> {
    const names = this.names();
    const results = await Promise.all(names.map((n) => this.runOne(n, this.entries.get(n)!)));
    const dependencies: Record<string, DependencyReport> = {};
    let healthy = true;
    let optionalFailing = false;
    names.forEach((name, i) => {
      const entry = this.entries.get(name)!;
      const result = results[i]!;
      dependencies[name] = { ...result, critical: entry.critical };
      // A critical dependency that is "off" is a misconfiguration, not a choice.
      if (entry.critical && result.status !== 'ok') healthy = false;
      if (!entry.critical && (result.status === 'down' || result.status === 'degraded')) optionalFailing = true;
    });
    return {
      status: !healthy ? 'down' : optionalFailing ? 'degraded' : 'ok',
      healthy,
      checkedAt: new Date().toISOString(),
      dependencies,
    };
  }

  private async runOne(name: string, entry: Entry): Promise<HealthResult> {
    if (entry.cached && Date.now() - entry.cached.at < entry.cacheMs) return entry.cached.result;
    const started = performance.now();
    // One call per dependency at a time: a check still stuck from an earlier request is awaited
    // again instead of piling up a new connection attempt on every probe.
    if (!entry.inFlight) {
      const p = Promise.resolve()
        .then(() => entry.check())
        .finally(() => {
          if (entry.inFlight === p) entry.inFlight = undefined;
        });
      entry.inFlight = p;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), entry.timeoutMs);
    });
    let result: HealthResult;
    try {
      const outcome = await Promise.race([entry.inFlight, timeout]);
      const latencyMs = Math.round(performance.now() - started);
      if (outcome === 'timeout') {
        result = { status: 'down', detail: TIMEOUT_DETAIL, latencyMs };
      } else {
        result = { ...outcome, latencyMs: outcome.latencyMs ?? latencyMs };
      }
    } catch (e) {
      // The error itself may carry a host name or a token in a URL: it goes to the log only.
      this.log?.warn({ err: e, dependency: name }, 'kiểm tra sức khỏe thất bại');
      result = { status: 'down', detail: FAILED_DETAIL, latencyMs: Math.round(performance.now() - started) };
    } finally {
      clearTimeout(timer);
    }
    if (entry.cacheMs > 0) entry.cached = { at: Date.now(), result };
    return result;
  }
}
