/**
 * core's ResponseCache on PostgreSQL: storage-sql's SqlResponseCache, the same SQL in both dialects.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { ResponseCache } from "@ml-agents/core"
import { SqlResponseCache } from "@ml-agents/storage-sql"
import type { Effect, Layer } from "effect"

/** Builds the cache on the SqlClient in context. */
export const make: Effect.Effect<ResponseCache.ResponseCache.Service, never, SqlClient.SqlClient> = SqlResponseCache.make

/** The ResponseCache, on the SqlClient. */
export const layer: Layer.Layer<ResponseCache.ResponseCache, never, SqlClient.SqlClient> = SqlResponseCache.layer
