/**
 * Retrying recoverable LlmErrors: exponential backoff with jitter, capped, stretched to the
 * server's `Retry-After` when that is longer. Built on `Schedule` and the Clock, so tests drive
 * it with `TestClock.adjust` instead of sleeping.
 * @internal
 */
import { LlmClient, Throttle } from "@ml-agents/core"
import { Duration, Effect, Schedule } from "effect"

type LlmError = LlmClient.LlmError

/** How failed calls are retried. */
export interface RetryPolicy {
  /** Retries after the first attempt; 0 disables retrying. */
  readonly maxRetries: number
  /** Delay before the first retry; doubles for each further one. */
  readonly baseDelayMs: number
  /** Upper bound of the backoff delay (before honouring Retry-After). */
  readonly maxDelayMs: number
  /** A server asking to wait longer than this is not retried: the error surfaces at once. */
  readonly maxRetryAfterMs: number
}

/** The default policy: 3 retries, 500 ms doubling up to 30 s, Retry-After honoured up to 2 minutes. */
export const defaultPolicy: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000
}

/** Whether an error may be retried under the policy. */
export const isRetryable = (policy: RetryPolicy) => (error: LlmError): boolean =>
  error.recoverable && (error.retryAfterMs === undefined || error.retryAfterMs <= policy.maxRetryAfterMs)

/** The retry schedule: its input is the error of the attempt that just failed. */
export const schedule = (policy: RetryPolicy): Schedule.Schedule<unknown, LlmError> =>
  Schedule.exponential(Duration.millis(policy.baseDelayMs), 2).pipe(
    Schedule.jittered,
    Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.millis(policy.maxDelayMs))),
    Schedule.intersect(Schedule.recurs(policy.maxRetries)),
    Schedule.intersect(Schedule.identity<LlmError>()),
    Schedule.whileInput(isRetryable(policy)),
    Schedule.modifyDelay(([, error], delay) =>
      error.retryAfterMs === undefined ? delay : Duration.max(delay, Duration.millis(error.retryAfterMs))
    ),
    Schedule.tapInput((error: LlmError) =>
      Effect.logDebug("LLM call failed, may retry").pipe(
        Effect.annotateLogs({ category: error.category, status: error.status ?? "-", message: error.message })
      )
    )
  )

const gaveUp = (error: LlmError, attempts: number): LlmError =>
  attempts <= 1
    ? error
    : new LlmClient.LlmError({
      category: error.category,
      message: `${error.message} (gave up after ${attempts} attempts)`,
      status: error.status,
      retryAfterMs: error.retryAfterMs,
      recoverable: error.recoverable,
      attempts
    })

const schedules = new WeakMap<RetryPolicy, Schedule.Schedule<unknown, LlmError>>()

/** The policy's schedule, built once per policy rather than once per call. */
const scheduleOf = (policy: RetryPolicy): Schedule.Schedule<unknown, LlmError> => {
  let built = schedules.get(policy)
  if (built === undefined) schedules.set(policy, built = schedule(policy))
  return built
}

/**
 * Runs an attempt under the policy; succeeds with the value and the number of attempts it took.
 * As `Effect.retry` with the policy's schedule, except that the schedule's driver is made only
 * once an attempt has failed: most calls succeed at once, and then cost no retry machinery.
 */
export const retrying = <A, R>(
  policy: RetryPolicy,
  attempt: Effect.Effect<A, LlmError, R>
): Effect.Effect<readonly [A, number], LlmError, R> =>
  Effect.suspend(() => {
    // Local to this call: counted as the attempts run, read once they end.
    let attempts = 1
    // Every 429 is reported to the run's Throttle (if any), which lowers its concurrency.
    const once = attempt.pipe(
      Effect.tapError((error) =>
        error.category === "rate_limit_exceeded" ? Throttle.report(error.retryAfterMs) : Effect.void
      )
    )
    // The schedule sees each failure (and waits its delay) before the next attempt, or is done.
    const after = (driver: Schedule.ScheduleDriver<unknown, LlmError>, error: LlmError): Effect.Effect<A, LlmError, R> =>
      driver.next(error).pipe(
        Effect.matchEffect({
          onFailure: () => Effect.fail(gaveUp(error, attempts)),
          onSuccess: () => {
            attempts++
            return once.pipe(Effect.catchAll((next) => after(driver, next)))
          }
        })
      )
    return once.pipe(
      Effect.catchAll((error) => Effect.flatMap(Schedule.driver(scheduleOf(policy)), (driver) => after(driver, error))),
      Effect.map((value) => [value, attempts] as const)
    )
  })
