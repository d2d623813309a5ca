/**
 * core's WorkQueue on SQLite: one row per queued question in `work_items`. SQLite runs one write
 * at a time, so a claim (one UPDATE … RETURNING over the first free rows) is atomic across the
 * processes sharing the file; PostgreSQL's adapter adds row locks for workers on many machines.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { type QuestionResult, ResultRepository, WorkQueue } from "@ml-agents/core"
import { SqlWorkQueue } from "@ml-agents/storage-sql"
import { Effect, Layer } from "effect"
import { storageError, toStorageError } from "./internal/errors.js"
import * as WalSync from "./internal/walSync.js"

interface ClaimedRow {
  readonly evaluation_id: string
  readonly question_id: string
  readonly ordinal: number
  readonly attempts: number
}

/** Builds the queue on the SqlClient and the ResultRepository in context. */
export const make: Effect.Effect<WorkQueue.WorkQueue.Service, never, SqlClient.SqlClient | ResultRepository.ResultRepository> =
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const results = yield* ResultRepository.ResultRepository
    const durable = yield* WalSync.durable

    const enqueue = Effect.fn("WorkQueue.enqueue")(
      function*(evaluationId: string, now: Date) {
        const found = yield* sql`SELECT 1 FROM evaluations WHERE id = ${evaluationId}`
        if (found.length === 0) return yield* storageError("WorkQueue.enqueue", `evaluation '${evaluationId}' is not stored`)
        const added = yield* sql`
          INSERT INTO work_items (evaluation_id, question_id, ordinal, enqueued_at)
          SELECT e.id, q.id, q.ordinal, ${now.toISOString()}
          FROM evaluations e JOIN questions q ON q.benchmark_id = e.benchmark_id
          WHERE e.id = ${evaluationId} AND NOT EXISTS (
            SELECT 1 FROM evaluation_question_results r WHERE r.evaluation_id = e.id AND r.question_id = q.id)
          ON CONFLICT (evaluation_id, question_id) DO NOTHING
          RETURNING 1`
        return added.length
      },
      Effect.mapError(toStorageError("WorkQueue.enqueue")),
      (effect) => Effect.tap(effect, () => durable)
    )

    const claim = Effect.fn("WorkQueue.claim")(
      function*(request: WorkQueue.ClaimRequest) {
        const rows = yield* sql<ClaimedRow>`
          UPDATE work_items
          SET claimed_by = ${request.owner}, lease_expires_at = ${request.expiresAt.toISOString()}, attempts = attempts + 1
          WHERE (evaluation_id, question_id) IN (
            SELECT evaluation_id, question_id FROM work_items
            WHERE (claimed_by IS NULL OR lease_expires_at < ${request.now.toISOString()})
              ${request.evaluationId === undefined ? sql`` : sql`AND evaluation_id = ${request.evaluationId}`}
            ORDER BY evaluation_id, ordinal LIMIT ${request.batch})
          RETURNING evaluation_id, question_id, ordinal, attempts`
        return [...rows]
          .sort((a, b) => (a.evaluation_id < b.evaluation_id ? -1 : a.evaluation_id > b.evaluation_id ? 1 : a.ordinal - b.ordinal))
          .map((row) => ({ evaluationId: row.evaluation_id, questionId: row.question_id, attempts: row.attempts }))
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
