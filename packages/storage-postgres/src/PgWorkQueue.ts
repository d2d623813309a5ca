/**
 * core's WorkQueue on PostgreSQL: one row per queued question in `work_items`, claimed with
 * `FOR UPDATE SKIP LOCKED`: workers on any number of machines each lock the first free rows no
 * other claim holds, without waiting for each other, and take them in one statement.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { type QuestionResult, ResultRepository, WorkQueue } from "@ml-agents/core"
import { SqlWorkQueue } from "@ml-agents/storage-sql"
import { Effect, Layer, Schedule } from "effect"
import { codeOf, toStorageError } from "./internal/errors.js"

/** SQLSTATEs of a transaction PostgreSQL aborted that can simply be run again: deadlock, serialization failure. */
const TRANSIENT: ReadonlySet<string> = new Set(["40P01", "40001"])

/** Builds the queue on the SqlClient and the ResultRepository in context (both on PostgreSQL). */
export const make: Effect.Effect<WorkQueue.WorkQueue.Service, never, SqlClient.SqlClient | ResultRepository.ResultRepository> =
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const results = yield* ResultRepository.ResultRepository

    const enqueue = SqlWorkQueue.enqueue(sql)

    const claim = Effect.fn("WorkQueue.claim")(
      function*(request: WorkQueue.ClaimRequest) {
        // The subquery locks the rows it picks and skips those another claim has locked, so
        // concurrent claims get disjoint batches without waiting for each other.
        const rows = yield* sql<SqlWorkQueue.ClaimedRow>`
          UPDATE work_items w
          SET claimed_by = ${request.owner}, lease_expires_at = ${request.expiresAt.toISOString()}, attempts = w.attempts + 1
          FROM (
            SELECT evaluation_id, question_id FROM work_items
            WHERE (claimed_by IS NULL OR lease_expires_at < ${request.now.toISOString()})
              ${request.evaluationId === undefined ? sql`` : sql`AND evaluation_id = ${request.evaluationId}`}
            ORDER BY evaluation_id, ordinal LIMIT ${request.batch}
            FOR UPDATE SKIP LOCKED
          ) AS free
          WHERE w.evaluation_id = free.evaluation_id AND w.question_id = free.question_id
          RETURNING w.evaluation_id, w.question_id, w.ordinal, w.attempts`
        return SqlWorkQueue.claimedItems(rows)
      },
      Effect.mapError(toStorageError("WorkQueue.claim"))
    )

    // Skips the rows a completion of the same worker has locked (it is deleting them, on another
    // connection of the pool). Waiting for them instead deadlocks: the completion's DELETEs and
    // this UPDATE lock the worker's rows in different orders. A skipped row is either gone when
    // the completion commits, or kept by the next heartbeat if it rolls back.
    const heartbeat = Effect.fn("WorkQueue.heartbeat")(
      function*(owner: string, expiresAt: Date) {
        const rows = yield* sql`UPDATE work_items w SET lease_expires_at = ${expiresAt.toISOString()}
          FROM (
            SELECT evaluation_id, question_id FROM work_items WHERE claimed_by = ${owner}
            FOR UPDATE SKIP LOCKED
          ) AS mine
          WHERE w.evaluation_id = mine.evaluation_id AND w.question_id = mine.question_id
          RETURNING 1`
        return rows.length
      },
      Effect.mapError(toStorageError("WorkQueue.heartbeat"))
    )

    // The results and the queue in one transaction: a question is off the queue exactly when its
    // result is stored. The queue rows are locked first, in key order, as every statement that
    // locks several of them does. A transaction PostgreSQL aborts to break a deadlock or a
    // serialization conflict (40P01, 40001) did nothing, and is run again: saving a result and
    // deleting its queue row are idempotent.
    const complete = Effect.fn("WorkQueue.complete")(
      function*(done: ReadonlyArray<QuestionResult.EvaluationQuestionResult>) {
        if (done.length === 0) return
        const keys = done.map((r) => [r.evaluationId, r.questionId] as const)
          .sort(([e1, q1], [e2, q2]) => (e1 < e2 ? -1 : e1 > e2 ? 1 : q1 < q2 ? -1 : q1 > q2 ? 1 : 0))
        yield* sql.withTransaction(Effect.gen(function*() {
          for (const [evaluationId, questionId] of keys) {
            yield* sql`SELECT 1 FROM work_items WHERE evaluation_id = ${evaluationId} AND question_id = ${questionId} FOR UPDATE`
          }
          // One by one: in a PostgreSQL transaction a refused batch would abort the transaction
          // before the refused result could be named. A worker's batch is a handful of results.
          for (const result of done) yield* results.save(result)
          for (const [evaluationId, questionId] of keys) {
            yield* sql`DELETE FROM work_items WHERE evaluation_id = ${evaluationId} AND question_id = ${questionId}`
          }
        })).pipe(
          Effect.retry({
            while: (error) => TRANSIENT.has(codeOf(error) ?? ""),
            schedule: Schedule.exponential("20 millis").pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(5)))
          })
        )
      },
      Effect.mapError(toStorageError("WorkQueue.complete"))
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
