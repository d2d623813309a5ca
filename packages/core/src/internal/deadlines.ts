/**
 * Time limits for a run's questions, kept by one watchdog fiber instead of a race per question.
 *
 * `Effect.timeoutFail` races the effect against a sleep: two fibers and a timer for every question,
 * which at high concurrency was a tenth of a run's CPU (measured). Here a limited effect runs in one
 * fiber of its own, listed with its deadline; every question has the same limit, so the list is in
 * deadline order, and the watchdog sleeps (on the Clock, so TestClock drives it) until the first
 * deadline, interrupts what has outlived it, and sleeps again.
 * @internal
 */
import { Clock, Effect, Exit, Fiber, type Scope } from "effect"

interface Entry {
  readonly deadline: number
  readonly fiber: Fiber.RuntimeFiber<unknown, unknown>
  timedOut: boolean
}

/** Runs an effect within the limit, or fails with `onTimeout()` once it has outlived it (the effect is interrupted). */
export type Within = <A, E, R, E2>(effect: Effect.Effect<A, E, R>, onTimeout: () => E2) => Effect.Effect<A, E | E2, R>

// Monotonic milliseconds (the wall clock can step); TestClock drives them too.
const millis = (clock: Clock.Clock): number => Number(clock.unsafeCurrentTimeNanos() / 1_000_000n)

/** Starts the watchdog in the current scope; returns the function that runs an effect within `limitMs`. */
export const make = (limitMs: number): Effect.Effect<Within, never, Scope.Scope> =>
  Effect.gen(function*() {
    const now = Effect.clockWith((clock) => Effect.succeed(millis(clock)))
    // Insertion order is deadline order: every entry has the same limit.
    const running = new Set<Entry>()
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
            due.push(entry)
          }
        }
        return Effect.forEach(due, (entry) => Fiber.interruptFork(entry.fiber), { discard: true })
      }),
      Effect.forever
    )
    yield* Effect.forkScoped(watchdog)
    return <A, E, R, E2>(effect: Effect.Effect<A, E, R>, onTimeout: () => E2): Effect.Effect<A, E | E2, R> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.fork(restore(effect)).pipe(
          Effect.flatMap((fiber) =>
            Effect.clockWith((clock) => {
              const entry: Entry = { deadline: millis(clock) + limitMs, fiber, timedOut: false }
              running.add(entry)
              return restore(Fiber.await(fiber)).pipe(
                // One finalizer for both ends (each costs a mask and a frame per question): the
                // entry leaves the list, and a wait interrupted from outside (Ctrl+C) stops the
                // effect too. (Fiber.await itself cannot fail: a failure is that interruption.)
                Effect.onExit((waited) => {
                  running.delete(entry)
                  return Exit.isFailure(waited) ? Fiber.interrupt(fiber) : Effect.void
                }),
                Effect.flatMap((exit): Effect.Effect<A, E | E2> =>
                  entry.timedOut && Exit.isInterrupted(exit) ? Effect.fail(onTimeout()) : exit
                )
              )
            })
          )
        )
      )
  })
