// How a job handler says what should happen next, without knowing the queue library: give up
// (no retries left would help) or come back after a given delay (a platform's retry_after).

/** Retrying cannot help (blocked by the user, unknown chat, bad input): fail now. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

/** Run this job again after delayMs, without counting it as a failed attempt. */
export class RetryJobLater extends Error {
  override name = 'RetryJobLater';
  constructor(
    readonly delayMs: number,
    message = `retry in ${delayMs} ms`,
  ) {
    super(message);
  }
}

/**
 * The worker is shutting down (JobContext.signal aborted) and this job stopped before its next
 * side effect: give it back to the queue now so another worker carries on from what is recorded.
 * Not a failed attempt.
 */
export class HandBackJob extends Error {
  override name = 'HandBackJob';
  constructor(message = 'worker shutting down: job handed back') {
    super(message);
  }
}
