/**
 * The model list cache: in memory for the life of the client, and in a `KeyValueStore` when one
 * is given, stamped with its fetch time so that a new process within the TTL does not refetch.
 * Failures are never cached; concurrent callers share one fetch.
 * @internal
 */
import type { LlmClient } from "@ml-agents/core"
import type * as KeyValueStore from "@effect/platform/KeyValueStore"
import { Clock, Duration, Effect, Option, Schema, SynchronizedRef } from "effect"

const ModelInfoSchema = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  contextLength: Schema.NullOr(Schema.Number),
  supportedParameters: Schema.Array(Schema.String),
  pricing: Schema.NullOr(Schema.Struct({ promptPerToken: Schema.Number, completionPerToken: Schema.Number }))
})

/** The persisted form: when the list was fetched, from where, and the list. */
const Persisted = Schema.parseJson(Schema.Struct({
  fetchedAt: Schema.Number,
  baseURL: Schema.String,
  models: Schema.Array(ModelInfoSchema)
}))

interface Entry {
  readonly models: ReadonlyArray<LlmClient.ModelInfo>
  readonly expiresAt: number
}

/** The key under which the list from a base URL is persisted. */
export const storeKey = (baseURL: string): string => `@ml-agents/openrouter/models/${baseURL}`

/** Wraps a fetch of the model list in the two-level cache; the result is an Effect to run per call. */
export const make = <E>(options: {
  readonly fetch: Effect.Effect<ReadonlyArray<LlmClient.ModelInfo>, E>
  readonly ttl: Duration.DurationInput
  readonly baseURL: string
  readonly store: Option.Option<KeyValueStore.KeyValueStore>
}): Effect.Effect<Effect.Effect<ReadonlyArray<LlmClient.ModelInfo>, E>> =>
  Effect.gen(function*() {
    const ttlMs = Duration.toMillis(options.ttl)
    const key = storeKey(options.baseURL)
    const memory = yield* SynchronizedRef.make(Option.none<Entry>())

    // A broken or stale store entry only means we fetch again.
    const readStore = (now: number): Effect.Effect<Option.Option<Entry>> =>
      Option.match(options.store, {
        onNone: () => Effect.succeedNone,
        onSome: (store) =>
          store.get(key).pipe(
            Effect.flatMap(Option.match({
              onNone: () => Effect.succeedNone,
              onSome: (text) =>
                Schema.decodeUnknown(Persisted)(text).pipe(
                  Effect.map((p) =>
                    p.baseURL === options.baseURL && p.fetchedAt <= now && now - p.fetchedAt < ttlMs
                      ? Option.some<Entry>({ models: p.models, expiresAt: p.fetchedAt + ttlMs })
                      : Option.none<Entry>()
                  )
                )
            })),
            Effect.catchAll((error) => Effect.as(Effect.logDebug("Ignoring unreadable model cache entry", error), Option.none()))
          )
      })

    const writeStore = (fetchedAt: number, models: ReadonlyArray<LlmClient.ModelInfo>): Effect.Effect<void> =>
      Option.match(options.store, {
        onNone: () => Effect.void,
        onSome: (store) =>
          Schema.encode(Persisted)({ fetchedAt, baseURL: options.baseURL, models }).pipe(
            Effect.flatMap((text) => store.set(key, text)),
            Effect.catchAll((error) => Effect.logWarning("Could not persist the model list cache", error))
          )
      })

    return SynchronizedRef.modifyEffect(memory, (current) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        if (Option.isSome(current) && current.value.expiresAt > now) return [current.value.models, current] as const
        const persisted = yield* readStore(now)
        if (Option.isSome(persisted)) return [persisted.value.models, persisted] as const
        const models = yield* options.fetch
        yield* writeStore(now, models)
        return [models, Option.some<Entry>({ models, expiresAt: now + ttlMs })] as const
      }))
  })
