/**
 * Adaptive concurrency for a run. A model client reports each rate-limit response (HTTP 429) to
 * the `Throttle` service in its caller's context; the run's limiter then halves the number of
 * questions in flight (at most once per cool-down), and raises it again by one per finished
 * question once no rate limit has been seen for a cool-down. Additive increase, multiplicative
 * decrease, as TCP does: sustained 429s settle the run at a rate the provider accepts, instead of
 * every question backing off on its own at full concurrency.
 */
import { Clock, Context, Effect } from "effect"

/** Where a model client reports rate limiting; optional in the context. */
export class Throttle extends Context.Tag("@ml-agents/core/Throttle")<Throttle, {
  /** A call was answered with a rate limit; `retryAfterMs` when the server said how long to wait. */
  readonly rateLimited: (retryAfterMs?: number) => Effect.Effect<void>
}>() {}

/** Reports a rate limit to the Throttle in context, if there is one. */
export const report = (retryAfterMs?: number): Effect.Effect<void> =>
  Effect.serviceOption(Throttle).pipe(
    Effect.flatMap((throttle) => throttle._tag === "Some" ? throttle.value.rateLimited(retryAfterMs) : Effect.void)
  )

/** The state a progress line shows. */
export interface LimiterState {
  /** Questions allowed in flight now. */
  readonly limit: number
  /** The configured concurrency. */
  readonly max: number
  /** Whether a rate limit was seen within the cool-down. */
  readonly throttled: boolean
}

/** A gate for questions in flight whose width adapts to rate limiting. */
export interface Limiter {
  /** Runs an effect once a place is free, holding the place while it runs. */
  readonly withPlace: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** The Throttle that feeds this limiter. */
  readonly throttle: Context.Tag.Service<Throttle>
  readonly state: Effect.Effect<LimiterState>
}

/** Makes a limiter for `max` questions in flight; `coolDownMs` defaults to 10 s. */
export const makeLimiter = (max: number, coolDownMs = 10_000): Effect.Effect<Limiter> =>
  Effect.sync(() => {
    let limit = max
    let inFlight = 0
    let lastLimitedAt = Number.NEGATIVE_INFINITY
    let lastCutAt = Number.NEGATIVE_INFINITY
    const waiters: Array<() => void> = []

    const wake = () => {
      while (inFlight < limit && waiters.length > 0) {
        inFlight++
        waiters.shift()!()
      }
    }
    // Takes a free place if there is one and nobody is waiting for it.
    const takeFree = (): boolean => {
      if (inFlight >= limit || waiters.length > 0) return false
      inFlight++
      return true
    }
    const acquire = Effect.async<void>((resume) => {
      if (takeFree()) {
        resume(Effect.void)
        return
      }
      const waiter = () => resume(Effect.void)
      waiters.push(waiter)
      // Interrupted while waiting: leave the queue, or hand back a place granted meanwhile.
      return Effect.sync(() => {
        const i = waiters.indexOf(waiter)
        if (i >= 0) waiters.splice(i, 1)
        else {
          inFlight--
          wake()
        }
      })
    })
    const release = Effect.clockWith((clock) =>
      Effect.sync(() => {
        inFlight--
        if (limit < max && clock.unsafeCurrentTimeMillis() - lastLimitedAt >= coolDownMs) limit++
        wake()
      })
    )
    const throttle: Context.Tag.Service<Throttle> = {
      rateLimited: (retryAfterMs) =>
        Clock.currentTimeMillis.pipe(Effect.map((now) => {
          lastLimitedAt = now + (retryAfterMs ?? 0)
          // One cut per cool-down: the 429s of one burst arrive together and mean one thing.
          if (now - lastCutAt >= coolDownMs / 2 && limit > 1) {
            limit = Math.max(1, Math.floor(limit / 2))
            lastCutAt = now
          }
        }))
    }
    return {
      withPlace: (effect) =>
        Effect.uninterruptibleMask((restore) =>
          Effect.suspend(() => {
            const placed = restore(effect).pipe(Effect.ensuring(release))
            // A free place is taken at once, without suspending the fiber.
            return takeFree() ? placed : restore(acquire).pipe(Effect.zipRight(placed))
          })
        ),
      throttle,
      state: Clock.currentTimeMillis.pipe(
        Effect.map((now) => ({ limit, max, throttled: now - lastLimitedAt < coolDownMs }))
      )
    }
  })
