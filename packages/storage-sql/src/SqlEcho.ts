/**
 * DATABASE_ECHO: logs every SQL statement at Debug level, like SQLAlchemy's `echo`. It hooks
 * `@effect/sql`'s statement transformer, which sees each statement just before it runs.
 */
import * as Statement from "@effect/sql/Statement"
import { Effect, type Layer } from "effect"

const MAX_PARAMS = 20
const MAX_PARAM_LENGTH = 200

const showParam = (value: unknown): unknown =>
  typeof value === "string" && value.length > MAX_PARAM_LENGTH ? `${value.slice(0, MAX_PARAM_LENGTH)}…` : value

const transformer: Statement.Statement.Transformer = (statement) =>
  Effect.suspend(() => {
    const [sql, params] = statement.compile()
    const shown = params.slice(0, MAX_PARAMS).map(showParam)
    return Effect.logDebug(sql.replace(/\s+/g, " ").trim()).pipe(
      Effect.annotateLogs({
        "db.params": params.length > MAX_PARAMS ? [...shown, `… ${params.length - MAX_PARAMS} more`] : shown
      }),
      Effect.as(statement)
    )
  })

/** Logs every statement run by the fibers this layer is provided to. */
export const layer: Layer.Layer<never> = Statement.setTransformer(transformer)
