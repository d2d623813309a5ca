/**
 * EvaluationRepository on `SqlClient`: one row per evaluation, its agent configuration in columns
 * and JSON, its lifecycle state updated in place, and the run lease taken by one conditional
 * UPDATE, so that two processes (on two machines, with PostgreSQL) racing for it cannot both win.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqlSchema from "@effect/sql/SqlSchema"
import { Evaluation, EvaluationRepository } from "@ml-agents/core"
import { Effect, Layer, Option, Schema } from "effect"
import { storageError, toStorageError } from "./StorageErrors.js"
import { EvaluationFromRow } from "./Rows.js"
import type { Dialect } from "./Dialect.js"

const ListRequest = Schema.Struct({
  status: Schema.optional(Evaluation.Evaluation.fields.status),
  benchmarkName: Schema.optional(Schema.String),
  limit: Schema.optional(Schema.Int.pipe(Schema.nonNegative()))
})

/** Builds the repository on the SqlClient in context, in the given dialect. */
export const make = (dialect: Dialect): Effect.Effect<EvaluationRepository.EvaluationRepository.Service, never, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    // Waited for after the writes of an evaluation and of its state (see Dialect.durable); a lease is
    // not: a lease lost to a power loss only lets the next run start at once.
    const durable = yield* dialect.durable

    const insert = SqlSchema.void({
      Request: EvaluationFromRow,
      execute: (row) => sql`INSERT INTO evaluations ${sql.insert(row)}`
    })

    const updateState = SqlSchema.findOne({
      Request: EvaluationFromRow,
      Result: Schema.Struct({ id: Schema.String }),
      execute: (row) =>
        sql`UPDATE evaluations SET ${
          sql.update({
            status: row.status,
            started_at: row.started_at,
            completed_at: row.completed_at,
            failure_reason: row.failure_reason,
            answer_kind: row.answer_kind
          })
        } WHERE id = ${row.id} RETURNING id`
    })

    const byId = SqlSchema.findOne({
      Request: Schema.String,
      Result: EvaluationFromRow,
      execute: (id) => sql`SELECT * FROM evaluations WHERE id = ${id}`
    })

    const listWhere = SqlSchema.findAll({
      Request: ListRequest,
      Result: EvaluationFromRow,
      execute: (options) => {
        const clauses = [
          ...(options.status === undefined ? [] : [sql`status = ${options.status}`]),
          ...(options.benchmarkName === undefined ? [] : [sql`benchmark_name = ${options.benchmarkName}`])
        ]
        return sql`SELECT * FROM evaluations WHERE ${sql.and(clauses)}
          ORDER BY created_at DESC, ${dialect.byteOrder(sql, "id")} ${dialect.limit(sql, options.limit)}`
      }
    })

    const create = Effect.fn("EvaluationRepository.create")(
      (evaluation: Evaluation.Evaluation) => insert(evaluation),
      (effect, evaluation) =>
        Effect.mapError(effect, (error) => {
          return dialect.violated(error, "evaluations.id")
            ? storageError("EvaluationRepository.create", `an evaluation with id '${evaluation.id}' is already stored`)
            : dialect.violated(error, "foreign_key")
            ? storageError(
              "EvaluationRepository.create",
              `benchmark '${evaluation.benchmarkName}' (id '${evaluation.benchmarkId}') is not stored`
            )
            : toStorageError("EvaluationRepository.create")(error)
        }),
      (effect) => Effect.zipRight(effect, durable)
    )

    const update = Effect.fn("EvaluationRepository.update")(
      function*(evaluation: Evaluation.Evaluation) {
        const updated = yield* updateState(evaluation)
        if (Option.isNone(updated)) {
          return yield* storageError("EvaluationRepository.update", `no evaluation with id '${evaluation.id}' is stored`)
        }
      },
      Effect.mapError(toStorageError("EvaluationRepository.update")),
      (effect) => Effect.zipRight(effect, durable)
    )

    const findById = Effect.fn("EvaluationRepository.findById")(
      (id: string) => byId(id),
      Effect.mapError(toStorageError("EvaluationRepository.findById"))
    )

    const list = Effect.fn("EvaluationRepository.list")(
      (options: EvaluationRepository.ListOptions = {}) => listWhere(options),
      Effect.mapError(toStorageError("EvaluationRepository.list"))
    )

    const LeaseRow = Schema.Struct({ lease_owner: Schema.String, lease_expires_at: Schema.Date })
    const leaseOf = SqlSchema.findOne({
      Request: Schema.String,
      Result: LeaseRow,
      execute: (id) =>
        sql`SELECT lease_owner, lease_expires_at FROM evaluations WHERE id = ${id} AND lease_owner IS NOT NULL`
    })

    const lease = Effect.fn("EvaluationRepository.lease")(
      (id: string) =>
        leaseOf(id).pipe(Effect.map(Option.map((row) => ({ owner: row.lease_owner, expiresAt: row.lease_expires_at })))),
      Effect.mapError(toStorageError("EvaluationRepository.lease"))
    )

    // One conditional UPDATE, so that two processes racing for the lease cannot both win.
    const claim = Effect.fn("EvaluationRepository.claim")(
      function*(id: string, request: EvaluationRepository.ClaimRequest) {
        const rows = yield* sql<{ id: string }>`
          UPDATE evaluations
          SET lease_owner = ${request.owner}, lease_expires_at = ${request.expiresAt.toISOString()}
          WHERE id = ${id} AND (
            lease_owner IS NULL OR lease_owner = ${request.owner} OR lease_expires_at < ${request.now.toISOString()}
            ${request.replacing === undefined ? sql`` : sql`OR lease_owner = ${request.replacing}`}
          )
          RETURNING id`
        return rows.length > 0
      },
      Effect.mapError(toStorageError("EvaluationRepository.claim"))
    )

    const release = Effect.fn("EvaluationRepository.release")(
      (id: string, owner: string) =>
        sql`UPDATE evaluations SET lease_owner = NULL, lease_expires_at = NULL
          WHERE id = ${id} AND lease_owner = ${owner}`.pipe(Effect.asVoid),
      Effect.mapError(toStorageError("EvaluationRepository.release"))
    )

    return EvaluationRepository.EvaluationRepository.of({ create, update, findById, list, lease, claim, release })
  })

/** The EvaluationRepository, on the SqlClient, in the given dialect. */
export const layer = (dialect: Dialect): Layer.Layer<EvaluationRepository.EvaluationRepository, never, SqlClient.SqlClient> =>
  Layer.effect(EvaluationRepository.EvaluationRepository, make(dialect))
