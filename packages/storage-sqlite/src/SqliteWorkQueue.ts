/**
 * core's WorkQueue on SQLite: one row per queued question in `work_items`. SQLite runs one write
 * at a time, so a claim (one UPDATE … RETURNING over the first free rows) is atomic across the
 * processes sharing the file; PostgreSQL's adapter adds row locks for workers on many machines.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { type QuestionResult, ResultRepository, WorkQueue } from "@ml-agents/core"
import { SqlWorkQueue } from "@ml-agents/storage-sql"
import { Effect, Layer } from "effect"
import { toStorageError } from "./internal/errors.js"
import * as WalSync from "./internal/walSync.js"

/** Builds the queue on the SqlClient and the ResultRepository in context. */
export const make: Effect.Effect<WorkQueue.WorkQueue.Service, never, SqlClient.SqlClient | ResultRepository.ResultRepository> =
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const results = yield* ResultRepository.ResultRepository
    const durable = yield* WalSync.durable

    // Made durable before it counts as queued (the WAL flush).
    const enqueue: WorkQueue.WorkQueue.Service["enqueue"] = (evaluationId, now) =>
      Effect.tap(SqlWorkQueue.enqueue(sql)(evaluationId, now), () => durable)

    const claim = Effect.fn("WorkQueue.claim")(
      function*(request: WorkQueue.ClaimRequest) {
        const rows = yield* sql<SqlWorkQueue.ClaimedRow>`
          UPDATE work_items
          SET claimed_by = ${request.owner}, lease_expires_at = ${request.expiresAt.toISOString()}, attempts = attempts + 1
          WHERE (evaluation_id, question_id) IN (
            SELECT evaluation_id, question_id FROM work_items
            WHERE (claimed_by IS NULL OR lease_expires_at < ${request.now.toISOString()})
              ${request.evaluationId === undefined ? sql`` : sql`AND evaluation_id = ${request.evaluationId}`}
            ORDER BY evaluation_id, ordinal LIMIT ${request.batch})
          RETURNING evaluation_id, question_id, ordinal, attempts`
        return SqlWorkQueue.claimedItems(rows)
      },
      Effect.mapError(toStorageError("WorkQueue.claim"))
    )

    const heartbeat = Effect.fn("WorkQueue.heartbeat")(
      function*(owner: string, expiresAt: Date) {
        const rows = yield* sql`UPDATE work_items SET lease_expires_at = ${expiresAt.toISOString()}
          WHERE claimed_by = ${owner} RETURNING 1`
        return rows.length
      },
      Effect.mapError(toStorageError("WorkQueue.heartbeat"))
    )

    // The results and the queue in one transaction: a question is off the queue exactly when its
    // result is stored.
    const complete = Effect.fn("WorkQueue.complete")(
      function*(done: ReadonlyArray<QuestionResult.EvaluationQuestionResult>) {
        if (done.length === 0) return
        yield* sql.withTransaction(Effect.gen(function*() {
          yield* results.saveAll(done)
          for (const result of done) {
            yield* sql`DELETE FROM work_items WHERE evaluation_id = ${result.evaluationId} AND question_id = ${result.questionId}`
          }
        }))
      },
      Effect.mapError(toStorageError("WorkQueue.complete")),
      (effect) => Effect.zipRight(effect, durable)
    )

    // Releasing claims, cancelling an evaluation's and reading progress: the same SQL in both dialects.
    const { cancel, progress, release } = SqlWorkQueue.leases(sql)

    return WorkQueue.WorkQueue.of({ enqueue, claim, heartbeat, complete, release, cancel, progress })
  })

/** The WorkQueue, on the SqlClient and the ResultRepository. */
export const layer: Layer.Layer<WorkQueue.WorkQueue, never, SqlClient.SqlClient | ResultRepository.ResultRepository> = Layer.effect(
  WorkQueue.WorkQueue,
  make
)
