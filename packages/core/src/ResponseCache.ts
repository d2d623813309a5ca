/**
 * A cache of model responses, so that re-running or re-scoring an evaluation costs nothing. The
 * key is a hash of everything that determines the reply plus a sample index, so that repeated
 * sampling of one request at temperature > 0 stays k answers and is not collapsed into one.
 * Storage adapters implement the service; `make` puts it in front of an `LlmClient`.
 */
import { Context, Effect, Layer, Option } from "effect"
import type { ChatRequest, ChatResponse, LlmClient } from "./LlmClient.js"
import type { StorageError } from "./StorageError.js"

/**
 * The version of what a key covers. Bump it when the key's contents or the meaning of a stored
 * response change, so that entries written under the old rules are simply no longer found.
 */
export const KEY_VERSION = 1

/** The ResponseCache service: stored model responses by key. */
export class ResponseCache extends Context.Tag("@ml-agents/core/ResponseCache")<ResponseCache, ResponseCache.Service>() {}

/** The ResponseCache service's types. */
export declare namespace ResponseCache {
  /** What a response cache does. */
  export interface Service {
    /** The response stored under `key`, if any. */
    readonly get: (key: string) => Effect.Effect<Option.Option<ChatResponse>, StorageError>
    /** Stores a response under `key`; when one is already stored there, the first one is kept. */
    readonly put: (key: string, request: ChatRequest, response: ChatResponse) => Effect.Effect<void, StorageError>
  }
}

// JSON with object keys sorted and undefined properties dropped, so that equal requests give
// equal text whatever order their keys were written in.
const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null"
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? "null" : canonicalJson(item))).join(",")}]`
  const record = value as Record<string, unknown>
  const members = Object.keys(record)
    .sort()
    .filter((name) => record[name] !== undefined)
    .map((name) => `${JSON.stringify(name)}:${canonicalJson(record[name])}`)
  return `{${members.join(",")}}`
}

// What determines the reply, as canonical JSON: messages are reduced to role and content so that
// anything else a caller attached to them does not split the cache.
const describe = (request: ChatRequest): string =>
  canonicalJson({
    version: KEY_VERSION,
    model: request.model,
    messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
    temperature: request.temperature,
    maxTokens: request.maxTokens,
    topP: request.topP,
    stop: request.stop,
    responseFormat: request.responseFormat
  })

const toHex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("")

// Node's own hash where there is one: Web Crypto's digest costs about 55µs of CPU per 2 kB prompt
// against 6µs for `node:crypto` (measured on Node 20), and this runs on every model call. Reached
// through `process.getBuiltinModule` (Node ≥ 20.16) so that core does not import a Node module;
// elsewhere Web Crypto does the same job.
let nodeHash: ((text: string) => string) | null | undefined
const syncSha256 = (): ((text: string) => string) | null => {
  if (nodeHash === undefined) {
    const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    const crypto = process?.getBuiltinModule?.("node:crypto") as typeof import("node:crypto") | undefined
    nodeHash = crypto === undefined ? null : (text) => crypto.createHash("sha256").update(text, "utf8").digest("hex")
  }
  return nodeHash
}

const sha256Hex = (text: string): Effect.Effect<string> => {
  const hash = syncSha256()
  return hash !== null
    ? Effect.sync(() => hash(text))
    : Effect.promise(() => globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))).pipe(
      Effect.map((digest) => toHex(new Uint8Array(digest)))
    )
}

// The canonical JSON of `{ request, sample }`, built from the request's canonical JSON as is.
const keyOf = (described: string, sampleIndex: number) =>
  sha256Hex(`{"request":${described},"sample":${canonicalJson(sampleIndex)}}`)

/**
 * The cache key of the `sampleIndex`-th identical request: the SHA-256 (hex) of a canonical JSON
 * of the model, the messages, the sampling parameters, the response format, the sample index and
 * `KEY_VERSION`.
 */
export const key = (request: ChatRequest, sampleIndex: number): Effect.Effect<string> =>
  Effect.suspend(() => keyOf(describe(request), sampleIndex))

/** What a caching client did so far. */
export interface Stats {
  /** Calls answered from the cache. */
  readonly hits: number
  /** Calls that went to the model. */
  readonly misses: number
  /** Cache reads and writes that failed (and were skipped). */
  readonly failures: number
}

/** A client answering from the cache where it can, and what it did so far. */
export interface CachingClient {
  readonly client: LlmClient.Service
  readonly stats: () => Stats
}

/**
 * Puts a cache in front of a client. The n-th identical request made through the returned client
 * gets sample index n, so make one per unit of work whose calls should replay in order (one per
 * question): indices then restart per question and are the same on every re-run. A hit comes back
 * with `attempts: 0`; errors are never stored; a failing cache is logged and bypassed.
 */
export const make = (client: LlmClient.Service, cache: ResponseCache.Service): CachingClient => {
  // Calls made so far, by request without sample index.
  const made = new Map<string, number>()
  let hits = 0
  let misses = 0
  let failures = 0

  const bypass = (operation: string) => (error: StorageError) =>
    Effect.sync(() => void failures++).pipe(
      Effect.zipRight(Effect.logWarning(`response cache ${operation} failed; going on without it`, error.message))
    )

  // Untraced: this runs on every model call, a span would cost about 30µs of it, and the model
  // call below has the adapter's own span.
  const chat = Effect.fnUntraced(function*(request: ChatRequest) {
    // The index is taken before the first yield, so that concurrent identical requests in this
    // client get distinct indices, in the order they started.
    const described = describe(request)
    const sampleIndex = made.get(described) ?? 0
    made.set(described, sampleIndex + 1)
    const cacheKey = yield* keyOf(described, sampleIndex)

    const cached = yield* cache.get(cacheKey).pipe(
      Effect.catchAll((error) => Effect.as(bypass("read")(error), Option.none<ChatResponse>()))
    )
    if (Option.isSome(cached)) {
      hits++
      return { ...cached.value, attempts: 0 }
    }

    misses++
    // Only the model call can be interrupted: once the reply is paid for, an interruption (Ctrl+C,
    // a question timeout) still leaves it in the cache for the resumed run.
    return yield* Effect.uninterruptibleMask((restore) =>
      restore(client.chat(request)).pipe(
        Effect.tap((response) => cache.put(cacheKey, request, response).pipe(Effect.catchAll(bypass("write"))))
      )
    )
  })

  return {
    client: { ...client, chat },
    stats: () => ({ hits, misses, failures })
  }
}

/** `make`'s client alone, for when the counts are not needed. */
export const wrap = (client: LlmClient.Service, cache: ResponseCache.Service): LlmClient.Service =>
  make(client, cache).client

/** A response cache in memory, for tests; like the stored ones, it keeps the first response per key. */
export const layerMemory: Layer.Layer<ResponseCache> = Layer.sync(ResponseCache, () => {
  const entries = new Map<string, ChatResponse>()
  return ResponseCache.of({
    get: (key) => Effect.sync(() => Option.fromNullable(entries.get(key))),
    put: (key, _request, response) =>
      Effect.sync(() => {
        if (!entries.has(key)) entries.set(key, response)
      })
  })
})
