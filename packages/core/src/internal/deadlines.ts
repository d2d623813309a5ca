/**
 * Time limits for a run's questions, kept by one watchdog fiber, with no fiber per question.
 *
 * `Effect.timeoutFail` races the effect against a sleep: two fibers and a timer for every question,
 * which at high concurrency was a tenth of a run's CPU (measured). Running each limited effect in a
 * fiber of its own for the watchdog to interrupt still cost about 0.1 ms of CPU per question (the
 * fork, its scheduling and its wait; measured at C=64). So a limited effect runs in the fiber that
 * calls it, listed with its deadline; every question has the same limit, so the list is in deadline
 * order, and the watchdog sleeps (on the Clock, so TestClock drives it) until the first deadline,
 * interrupts the fibers whose effect has outlived it, and sleeps again.
 *
 * Interrupting a fiber cannot be taken back: once the effect is stopped, the calling fiber is
 * interrupted too as soon as it is interruptible again. So `within` is called uninterruptibly (the
 * limited effect itself runs interruptibly), its caller finishes the question (records it as timed
 * out) before it lets go, and the fiber then ends; `respawning` runs a worker in a fiber of its own
 * and starts a new one each time the watchdog stopped it. A fork per timeout, not per question.
 * @internal
 */
import { Clock, Effect, Exit, Fiber, type Scope } from "effect"

interface Entry {
  readonly deadline: number
  readonly fiber: Fiber.RuntimeFiber<unknown, unknown>
  timedOut: boolean
}

/** A time limit, its watchdog running. */
export interface Limit {
  /**
   * Runs `effect`, interruptibly, in the calling fiber; fails with `onTimeout()` once it has
   * outlived the limit (the effect is interrupted). Call it uninterruptibly: after a timeout the
   * calling fiber is left interrupted, and ends at its next interruptible step.
   */
  readonly within: <A, E, R, E2>(effect: Effect.Effect<A, E, R>, onTimeout: () => E2) => Effect.Effect<A, E | E2, R>
  /**
   * Runs `work` in a fiber of its own, and again in a new fiber whenever the watchdog stopped it;
   * ends as `work` otherwise ends. Interrupting it interrupts `work`.
   */
  readonly respawning: <A, E, R>(work: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

// Monotonic milliseconds (the wall clock can step); TestClock drives them too.
const millis = (clock: Clock.Clock): number => Number(clock.unsafeCurrentTimeNanos() / 1_000_000n)

/** Starts the watchdog in the current scope. */
export const make = (limitMs: number): Effect.Effect<Limit, never, Scope.Scope> =>
  Effect.gen(function*() {
    const now = Effect.clockWith((clock) => Effect.succeed(millis(clock)))
    // Insertion order is deadline order: every entry has the same limit.
    const running = new Set<Entry>()
    // The fibers the watchdog interrupted, until their respawner has seen them end.
    const stopped = new WeakSet<Fiber.RuntimeFiber<unknown, unknown>>()
    const watchdog: Effect.Effect<never> = Effect.suspend(() => {
      // The first entry still to watch: one already interrupted stays listed until it has stopped.
      let first: Entry | undefined
      for (const entry of running) {
        if (!entry.timedOut) {
          first = entry
          break
        }
      }
      const next = first
      return next === undefined ? Effect.sleep(limitMs) : now.pipe(
        Effect.flatMap((at) => Effect.sleep(Math.max(0, next.deadline - at)))
      )
    }).pipe(
      Effect.zipRight(now),
      Effect.flatMap((at) => {
        const due: Array<Entry> = []
        for (const entry of running) {
          if (entry.deadline > at) break
          if (!entry.timedOut) {
            entry.timedOut = true
            stopped.add(entry.fiber)
            due.push(entry)
          }
        }
        return Effect.forEach(due, (entry) => Fiber.interruptFork(entry.fiber), { discard: true })
      }),
      Effect.forever
    )
    yield* Effect.forkScoped(watchdog)

    const within: Limit["within"] = <A, E, R, E2>(effect: Effect.Effect<A, E, R>, onTimeout: () => E2) =>
      Effect.clockWith((clock) =>
        Effect.withFiberRuntime<A, E | E2, R>((fiber) => {
          const entry: Entry = { deadline: millis(clock) + limitMs, fiber, timedOut: false }
          running.add(entry)
          return Effect.exit(Effect.interruptible(effect)).pipe(
            Effect.flatMap((exit): Effect.Effect<A, E | E2> => {
              running.delete(entry)
              // Stopped by the watchdog (not by Ctrl+C, which interrupts the fiber's parent too).
              return entry.timedOut && Exit.isInterrupted(exit) ? Effect.fail(onTimeout()) : exit
            })
          )
        })
      )

    const respawning: Limit["respawning"] = <A, E, R>(work: Effect.Effect<A, E, R>) =>
      Effect.uninterruptibleMask((restore) => {
        const attempt: Effect.Effect<A, E, R> = Effect.fork(restore(work)).pipe(
          Effect.flatMap((fiber) =>
            restore(Fiber.await(fiber)).pipe(
              Effect.onInterrupt(() => Fiber.interrupt(fiber)),
              Effect.flatMap((exit) => (stopped.delete(fiber) && Exit.isInterrupted(exit) ? attempt : exit))
            )
          )
        )
        return attempt
      })

    return { within, respawning }
  })
