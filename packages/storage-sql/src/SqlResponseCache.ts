/**
 * core's ResponseCache on `SqlClient`: one row per cached model response, with its request and
 * response as JSON. The first response stored under a key stays; a row that no longer decodes
 * reads as a miss and is dropped, so that the next response can take its place.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqlSchema from "@effect/sql/SqlSchema"
import { type LlmClient, ResponseCache, Usage } from "@ml-agents/core"
import { Clock, Effect, Layer, Option, Schema } from "effect"
import { messageOf, toStorageError } from "./StorageErrors.js"

// A ChatResponse as `response_json` holds it. Fields added later are ignored when reading, so
// rows written by a newer version still decode; an incompatible change needs a new KEY_VERSION.
const StoredResponse = Schema.Struct({
  content: Schema.String,
  finishReason: Schema.NullOr(Schema.String),
  usage: Usage.TokenUsage,
  costUsd: Schema.NullOr(Schema.Number),
  generationId: Schema.NullOr(Schema.String),
  provider: Schema.NullOr(Schema.String),
  model: Schema.String,
  attempts: Schema.Int
})

const ResponseJson = Schema.parseJson(StoredResponse)

const decodeResponse: (json: unknown) => Option.Option<LlmClient.ChatResponse> = Schema.decodeUnknownOption(ResponseJson)

const Row = Schema.Struct({
  key: Schema.String,
  model: Schema.String,
  request_json: Schema.parseJson(),
  response_json: ResponseJson,
  created_at: Schema.Date
})

/** Builds the cache on the SqlClient in context. */
export const make: Effect.Effect<ResponseCache.ResponseCache.Service, never, SqlClient.SqlClient> = Effect.gen(
  function*() {
    const sql = yield* SqlClient.SqlClient

    const insert = SqlSchema.void({
      Request: Row,
      execute: (row) => sql`INSERT INTO response_cache ${sql.insert(row)} ON CONFLICT (key) DO NOTHING`
    })

    // `response_json` as Unknown: whatever the column holds, a row that is not a response is a
    // miss rather than an error.
    const byKey = SqlSchema.findOne({
      Request: Schema.String,
      Result: Schema.Struct({ response_json: Schema.Unknown }),
      execute: (key) => sql`SELECT response_json FROM response_cache WHERE key = ${key}`
    })

    const drop = (key: string) =>
      Effect.logWarning("dropping a cached model response that does not decode").pipe(
        Effect.zipRight(sql`DELETE FROM response_cache WHERE key = ${key}`),
        // Best effort: the row is a miss either way.
        Effect.catchAll((error) => Effect.logWarning("could not drop the cached response", messageOf(error))),
        Effect.annotateLogs("key", key)
      )

    // Untraced: a span costs about 20 µs, and these run for every model call of a cached run.
    const get = Effect.fnUntraced(
      function*(key: string) {
        const row = yield* byKey(key)
        if (Option.isNone(row)) return Option.none<LlmClient.ChatResponse>()
        const response = decodeResponse(row.value.response_json)
        if (Option.isNone(response)) yield* drop(key)
        return response
      },
      Effect.mapError(toStorageError("ResponseCache.get"))
    )

    const put = Effect.fnUntraced(
      function*(key: string, request: LlmClient.ChatRequest, response: LlmClient.ChatResponse) {
        const now = yield* Clock.currentTimeMillis
        yield* insert({
          key,
          model: request.model,
          request_json: request,
          response_json: response,
          created_at: new Date(now)
        })
      },
      Effect.mapError(toStorageError("ResponseCache.put"))
    )

    return ResponseCache.ResponseCache.of({ get, put })
  }
)

/** The ResponseCache, on the SqlClient. */
export const layer: Layer.Layer<ResponseCache.ResponseCache, never, SqlClient.SqlClient> = Layer.effect(
  ResponseCache.ResponseCache,
  make
)
