/**
 * The parts of core's WorkQueue whose SQL is the same in both dialects: releasing an owner's
 * claims, taking an evaluation's questions off the queue, and reading an evaluation's progress. The adapters keep the claim (SQLite's single
 * writer vs PostgreSQL's `FOR UPDATE SKIP LOCKED`) and how a completion saves its results.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { WorkQueue } from "@ml-agents/core"
import { Effect } from "effect"
import { toStorageError } from "./StorageErrors.js"

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
