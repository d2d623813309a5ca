/**
 * Group commit, off the critical path: the work hands each finished item to one writer and goes
 * straight on (to its next model call), and the writer stores what has been handed in, together
 * (one transaction, so one sync to disk, instead of one each).
 *
 * A write runs its SQL on the event loop (better-sqlite3 is synchronous) and then waits for the disk
 * (the storage flushes its WAL on the thread pool). Before each write, the writer therefore lets the
 * work already due run first (one setImmediate): the next request is on the wire before the SQL
 * runs, and at high concurrency the replies that arrive while the disk is waited for join the next
 * batch. An item counts as stored (`written`) only once its write is done, on the disk. A hard
 * kill loses only what was in flight: the questions being asked and the items handed in but not
 * yet committed (a few milliseconds' worth).
 * @internal
 */
import { Array as Arr, Cause, Effect, Exit, Fiber, Option, Queue } from "effect"

/** Lets the I/O callbacks and microtasks already due run first (setImmediate runs after the poll phase). */
const afterPendingIo: Effect.Effect<void> = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

const End: unique symbol = Symbol("End")

/**
 * Runs `work` with a writer beside it; `work` hands items in with `submit`, which waits only while
 * `capacity` items already wait to be written. Ends once `work` has ended and everything it handed
 * in is written, with `work`'s value. A write that fails stops `work` (interrupted) and fails the
 * whole with its error; `work` failing or being interrupted stops the writer after its current
 * batch, and what is still waiting is written before this ends, so that answers already received
 * (and paid for) are kept however the work ends.
 */
export const run = <A, E, X, E2, R>(
  options: {
    readonly writeAll: (items: ReadonlyArray<A>) => Effect.Effect<void, E>
    /** Called with each batch once it is committed. */
    readonly written: (items: ReadonlyArray<A>) => Effect.Effect<void>
    readonly maxBatch: number
    readonly capacity: number
  },
  work: (submit: (item: A) => Effect.Effect<void>) => Effect.Effect<X, E2, R>
): Effect.Effect<X, E | E2, R> =>
  Effect.gen(function*() {
    const pending = yield* Queue.bounded<A | typeof End>(Math.max(1, options.capacity))
    const write = (items: ReadonlyArray<A>) =>
      Effect.suspend(() => options.writeAll(items)).pipe(Effect.zipRight(options.written(items)))
    // One batch: once its first item is taken it is written, even if the writer is being stopped.
    // Resolves to whether the end of the work was seen.
    const batch: Effect.Effect<boolean, E> = Effect.uninterruptibleMask((restore) =>
      restore(Queue.take(pending)).pipe(
        Effect.flatMap((first) =>
          first === End ? Effect.succeed(true) : afterPendingIo.pipe(
            Effect.zipRight(Queue.takeUpTo(pending, options.maxBatch - 1)),
            Effect.flatMap((rest) => {
              const items: Array<A> = [first]
              let end = false
              for (const item of rest) {
                if (item === End) end = true
                else items.push(item)
              }
              return write(items).pipe(Effect.as(end))
            })
          )
        )
      )
    )
    const writer: Effect.Effect<void, E> = batch.pipe(Effect.flatMap((end) => (end ? Effect.void : writer)))
    // A result whose hand-in was cut short (the run stopping while the queue was full) is not in
    // the queue: it is kept here, and written with what is still queued.
    const cutShort: Array<A> = []
    // Handed in at once while the queue has room (the common case, and then nothing can cut it
    // short); only a wait for room can be interrupted, even in an uninterruptible caller (which
    // may be a fiber already interrupted, finishing its last item: see internal/deadlines.ts).
    const submit = (item: A) =>
      Effect.suspend(() =>
        pending.unsafeOffer(item)
          ? Effect.void
          : Effect.interruptible(Queue.offer(pending, item)).pipe(
            Effect.onInterrupt(() => Effect.sync(() => cutShort.push(item)))
          )
      )
    const notStored = (cause: Cause.Cause<unknown>) =>
      Cause.isInterruptedOnly(cause) ? Effect.void : Effect.logError("results received could not be stored", cause)
    // Runs once the work and the writer have both stopped: nothing can be handed in any more.
    const rest = Queue.takeAll(pending).pipe(
      Effect.flatMap((chunk) => {
        const items = [...Array.from(chunk).filter((item): item is A => item !== End), ...cutShort]
        return Effect.forEach(Arr.chunksOf(items, options.maxBatch), write, { discard: true })
      }),
      Effect.catchAllCause(notStored)
    )
    // Stopping the writer lets it finish the batch it has taken; if that write fails, say so. (A
    // writer that had already ended is not stopped: its failure is the whole's failure.)
    const stopWriter = (fiber: Fiber.RuntimeFiber<void, E>) =>
      Fiber.poll(fiber).pipe(
        Effect.flatMap((ended) =>
          Option.isSome(ended) ? Effect.void : Fiber.interrupt(fiber).pipe(
            Effect.flatMap((exit) => (Exit.isFailure(exit) ? notStored(exit.cause) : Effect.void))
          )
        )
      )
    return yield* Effect.uninterruptibleMask((restore) =>
      Effect.fork(restore(writer)).pipe(
        Effect.flatMap((fiber) =>
          restore(
            Effect.all([
              work(submit).pipe(Effect.tap(() => Queue.offer(pending, End))),
              Fiber.join(fiber)
            ], { concurrency: "unbounded" })
          ).pipe(
            Effect.map(([value]) => value),
            Effect.ensuring(stopWriter(fiber).pipe(Effect.zipRight(rest)))
          )
        )
      )
    )
  })
