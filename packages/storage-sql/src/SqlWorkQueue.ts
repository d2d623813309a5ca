/**
 * The parts of core's WorkQueue whose SQL is the same in both dialects: queuing an evaluation's
 * unanswered questions, reading claimed rows, releasing an owner's claims, taking an evaluation's
 * questions off the queue, and reading an evaluation's progress. The adapters keep the claim and
 * the heartbeat (SQLite's single writer vs PostgreSQL's `FOR UPDATE SKIP LOCKED`) and how a
 * completion saves its results.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { WorkQueue } from "@ml-agents/core"
import { Effect } from "effect"
import { storageError, toStorageError } from "./StorageErrors.js"

/** A row a claim returns (`RETURNING evaluation_id, question_id, ordinal, attempts`). */
export interface ClaimedRow {
  readonly evaluation_id: string
  readonly question_id: string
  readonly ordinal: number
  readonly attempts: number
}

/** Claimed rows as work items, in queue order (by evaluation, then benchmark order). */
export const claimedItems = (rows: ReadonlyArray<ClaimedRow>): Array<WorkQueue.WorkItem> =>
  [...rows]
    .sort((a, b) => (a.evaluation_id < b.evaluation_id ? -1 : a.evaluation_id > b.evaluation_id ? 1 : a.ordinal - b.ordinal))
    .map((row) => ({ evaluationId: row.evaluation_id, questionId: row.question_id, attempts: row.attempts }))

/** `enqueue` on the given SqlClient: the evaluation's questions that have no result and are not queued yet. */
export const enqueue = (sql: SqlClient.SqlClient): WorkQueue.WorkQueue.Service["enqueue"] =>
  Effect.fn("WorkQueue.enqueue")(
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
    Effect.mapError(toStorageError("WorkQueue.enqueue"))
  )

/** `release`, `cancel` and `progress` on the given SqlClient. */
export const leases = (sql: SqlClient.SqlClient): Pick<WorkQueue.WorkQueue.Service, "release" | "cancel" | "progress"> => {
  const release = Effect.fn("WorkQueue.release")(
    function*(owner: string) {
      const rows = yield* sql`UPDATE work_items SET claimed_by = NULL, lease_expires_at = NULL
        WHERE claimed_by = ${owner} RETURNING 1`
      return rows.length
    },
    Effect.mapError(toStorageError("WorkQueue.release"))
  )

  const cancel = Effect.fn("WorkQueue.cancel")(
    function*(evaluationId: string) {
      const rows = yield* sql`DELETE FROM work_items WHERE evaluation_id = ${evaluationId} RETURNING 1`
      return rows.length
    },
    Effect.mapError(toStorageError("WorkQueue.cancel"))
  )

  const progress = Effect.fn("WorkQueue.progress")(
    function*(evaluationId: string, now: Date) {
      const at = now.toISOString()
      const [counts] = yield* sql<{ readonly waiting: number | null }>`
        SELECT COUNT(*) AS waiting FROM work_items
        WHERE evaluation_id = ${evaluationId} AND (claimed_by IS NULL OR lease_expires_at < ${at})`
      const holders = yield* sql<{ readonly owner: string; readonly items: number; readonly expires_at: string }>`
        SELECT claimed_by AS owner, COUNT(*) AS items, MIN(lease_expires_at) AS expires_at FROM work_items
        WHERE evaluation_id = ${evaluationId} AND claimed_by IS NOT NULL AND lease_expires_at >= ${at}
        GROUP BY claimed_by ORDER BY claimed_by`
      return {
        waiting: Number(counts?.waiting ?? 0),
        claimed: holders.reduce((sum, h) => sum + Number(h.items), 0),
        holders: holders.map((h) => ({ owner: h.owner, items: Number(h.items), expiresAt: new Date(h.expires_at) }))
      }
    },
    Effect.mapError(toStorageError("WorkQueue.progress"))
  )

  return { release, cancel, progress }
}
