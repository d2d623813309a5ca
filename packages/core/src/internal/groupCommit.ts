/**
 * Group commit: results that finish while a write is under way, or in the same turn of the event
 * loop, are written together (one transaction, so one sync to disk, instead of one each), and
 * each caller resumes only once its own item is stored, or fails with its write's error.
 *
 * A durable commit waits for the disk (SQLite's synchronous=FULL), blocking the event loop; at
 * high concurrency replies pile up meanwhile, and writing them together amortises that wait.
 * Before a write, the writer lets the replies already received be processed (one setImmediate),
 * but only when `linger` says other items may come: a lone question is written at once.
 * @internal
 */
import { Chunk, Deferred, Effect, Queue, type Scope } from "effect"

/** Lets the I/O callbacks already due run first (setImmediate runs after the poll phase). */
const afterPendingIo: Effect.Effect<void> = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

/**
 * Starts the writer in the current scope; returns the function that hands it an item. Once taken
 * from the queue, a batch is written and its callers told even if the scope is closing; items
 * still queued when it closes are written by a finalizer, so that answers already received (and
 * paid for) are kept even when their questions were interrupted.
 */
export const make = <A, E>(options: {
  readonly writeAll: (items: ReadonlyArray<A>) => Effect.Effect<void, E>
  readonly maxBatch: number
  readonly linger: () => boolean
}): Effect.Effect<(item: A) => Effect.Effect<void, E>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const pending = yield* Queue.unbounded<readonly [A, Deferred.Deferred<void, E>]>()
    const write = (batch: ReadonlyArray<readonly [A, Deferred.Deferred<void, E>]>) =>
      Effect.suspend(() => options.writeAll(batch.map(([item]) => item))).pipe(
        Effect.exit,
        Effect.flatMap((exit) => Effect.forEach(batch, ([, done]) => Deferred.done(done, exit), { discard: true }))
      )
    // Added before the writer, so it runs after the writer has stopped (finalizers run in reverse).
    yield* Effect.addFinalizer(() =>
      Queue.takeAll(pending).pipe(
        Effect.flatMap((rest) => (Chunk.isEmpty(rest) ? Effect.void : write(Chunk.toReadonlyArray(rest)))),
        Effect.zipRight(Queue.shutdown(pending))
      )
    )
    yield* Effect.uninterruptibleMask((restore) =>
      restore(Queue.take(pending)).pipe(
        Effect.tap(() => (options.linger() ? afterPendingIo : Effect.void)),
        Effect.flatMap((first) =>
          Queue.takeUpTo(pending, options.maxBatch - 1).pipe(Effect.map((rest) => [first, ...Chunk.toReadonlyArray(rest)]))
        ),
        Effect.flatMap(write)
      )
    ).pipe(Effect.forever, Effect.forkScoped)
    return (item: A) =>
      Deferred.make<void, E>().pipe(
        Effect.tap((done) => Queue.offer(pending, [item, done] as const)),
        Effect.flatMap(Deferred.await)
      )
  })
