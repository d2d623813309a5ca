/**
 * The client over a scripted fetch: what goes on the wire, retries on the TestClock, interruption,
 * malformed replies, the model list cache (in memory and persisted) and the key endpoint.
 */
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Option, Redacted, TestClock } from "effect"
import { OpenRouterClient } from "../src/index.js"
import { completion, drive, errorBody, scriptedFetch, tick, untilSleeping } from "./support.js"

const KEY = "sk-or-v1-test-0123456789abcdef"
const BASE = "https://openrouter.test/api/v1"
const request = { model: "openai/gpt-4o-mini", messages: [{ role: "user" as const, content: "What is 2+2?" }] }

const client = (fetch: typeof globalThis.fetch, options: Partial<OpenRouterClient.OpenRouterOptions> = {}) =>
  OpenRouterClient.make({ apiKey: Redacted.make(KEY), baseURL: BASE, fetch, ...options })

const failure = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const error = Cause.failureOption(exit.cause)
  if (Option.isNone(error)) throw new Error(`expected a failure, got ${Cause.pretty(exit.cause)}`)
  return error.value
}

describe("chat", () => {
  it.effect("sends the request with attribution headers, usage accounting and privacy routing", () =>
    Effect.gen(function*() {
      const { calls, fetch } = scriptedFetch([{ body: completion("Answer: 4") }])
      const llm = yield* client(fetch, {
        dataCollection: "deny",
        providerPreferences: { require_parameters: true },
        appName: "My App",
        appUrl: "https://example.org/app"
      })
      const response = yield* llm.chat({ ...request, temperature: 0, maxTokens: 50 })

      assert.strictEqual(response.content, "Answer: 4")
      assert.strictEqual(response.attempts, 1)
      assert.strictEqual(response.costUsd, 0.0000045)
      assert.strictEqual(response.provider, "TestProvider")
      assert.strictEqual(response.generationId, "gen-test-1")
      assert.strictEqual(response.usage.totalTokens, 15)

      assert.strictEqual(calls.length, 1)
      const sent = calls[0]!
      assert.strictEqual(sent.url, `${BASE}/chat/completions`)
      assert.strictEqual(sent.headers.get("authorization"), `Bearer ${KEY}`)
      assert.strictEqual(sent.headers.get("http-referer"), "https://example.org/app")
      assert.strictEqual(sent.headers.get("x-title"), "My App")
      assert.isNull(sent.headers.get("openai-organization"))
      assert.deepStrictEqual(sent.body, {
        model: request.model,
        messages: request.messages,
        temperature: 0,
        max_tokens: 50,
        usage: { include: true },
        provider: { require_parameters: true, data_collection: "deny" }
      })
    }))

  it.effect("defaults: OpenRouter attribution to ML-Agents-v2, no provider object", () =>
    Effect.gen(function*() {
      const { calls, fetch } = scriptedFetch([{ body: completion("ok") }])
      const llm = yield* client(fetch)
      yield* llm.chat(request)
      assert.strictEqual(calls[0]!.headers.get("x-title"), OpenRouterClient.DEFAULT_APP_NAME)
      assert.isNull(calls[0]!.headers.get("http-referer"), "no made-up referer without APP_URL")
      assert.isFalse("provider" in (calls[0]!.body as object))
    }))

  it.effect("a 429 with Retry-After is retried after at least that long: attempts 2", () =>
    Effect.gen(function*() {
      const { calls, fetch } = scriptedFetch([
        { status: 429, body: errorBody(429, "Rate limit exceeded"), headers: { "retry-after": "10" } },
        { body: completion("Answer: 4") }
      ])
      const llm = yield* client(fetch)
      const fiber = yield* Effect.fork(llm.chat(request))
      yield* untilSleeping(fiber)
      assert.strictEqual(calls.length, 1)

      yield* TestClock.adjust("9900 millis")
      yield* tick(20)
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)), "retried before Retry-After elapsed")
      assert.strictEqual(calls.length, 1)

      yield* TestClock.adjust("200 millis")
      const response = yield* Fiber.join(fiber)
      assert.strictEqual(response.attempts, 2)
      assert.strictEqual(response.content, "Answer: 4")
      assert.strictEqual(calls.length, 2)
    }))

  it.effect("a 402 is not retried", () =>
    Effect.gen(function*() {
      const { calls, fetch } = scriptedFetch([{ status: 402, body: errorBody(402, "Insufficient credits") }])
      const llm = yield* client(fetch)
      const error = yield* Effect.flip(llm.chat(request))
      assert.strictEqual(error.category, "credit_limit_exceeded")
      assert.strictEqual(error.recoverable, false)
      assert.strictEqual(calls.length, 1)
    }))

  it.effect("a 401 fails at once with a message naming OPENROUTER_API_KEY and not the key", () =>
    Effect.gen(function*() {
      const { calls, fetch } = scriptedFetch([{ status: 401, body: errorBody(401, `No user for key ${KEY}`) }])
      const llm = yield* client(fetch)
      const error = yield* Effect.flip(llm.chat(request))
      assert.strictEqual(error.category, "authentication_error")
      assert.include(error.message, "OPENROUTER_API_KEY")
      assert.notInclude(error.message, KEY)
      assert.strictEqual(calls.length, 1)
    }))

  it.effect("recoverable failures are retried maxRetries times, then surface", () =>
    Effect.gen(function*() {
      const { calls, fetch } = scriptedFetch([{ status: 502, body: errorBody(502, "Provider returned error") }])
      const llm = yield* client(fetch, { maxRetries: 2 })
      const fiber = yield* Effect.fork(llm.chat(request))
      const exit = yield* drive(fiber)
      const error = failure(exit)
      assert.strictEqual(calls.length, 3)
      assert.strictEqual(error.category, "unknown")
      assert.strictEqual(error.status, 502)
      assert.include(error.message, "gave up after 3 attempts")
    }))

  it.effect("maxRetries 0 makes exactly one attempt (the SDK's own retries are off)", () =>
    Effect.gen(function*() {
      const { calls, fetch } = scriptedFetch([{ status: 503, body: errorBody(503, "No provider") }])
      const llm = yield* client(fetch, { maxRetries: 0 })
      const error = yield* Effect.flip(llm.chat(request))
      assert.strictEqual(error.recoverable, true)
      assert.strictEqual(calls.length, 1)
    }))

  it.effect("waits the backoff delay (at least base × 0.8) before retrying", () =>
    Effect.gen(function*() {
      const { calls, fetch } = scriptedFetch([{ status: 500, body: errorBody(500, "boom") }, { body: completion("ok") }])
      const llm = yield* client(fetch, { retry: { baseDelayMs: 1000 } })
      const fiber = yield* Effect.fork(llm.chat(request))
      yield* untilSleeping(fiber)
      yield* TestClock.adjust("790 millis")
      yield* tick(20)
      assert.strictEqual(calls.length, 1)
      yield* TestClock.adjust("500 millis")
      const response = yield* Fiber.join(fiber)
      assert.strictEqual(response.attempts, 2)
    }))

  it.effect("a Retry-After beyond the longest worth waiting fails at once", () =>
    Effect.gen(function*() {
      const { calls, fetch } = scriptedFetch([{ status: 429, body: errorBody(429, "daily limit"), headers: { "retry-after": "86400" } }])
      const llm = yield* client(fetch)
      const error = yield* Effect.flip(llm.chat(request))
      assert.strictEqual(error.category, "rate_limit_exceeded")
      assert.strictEqual(error.retryAfterMs, 86_400_000)
      assert.strictEqual(calls.length, 1)
    }))

  it.effect("a 200 whose body is not JSON is a parsing_error, not a defect", () =>
    Effect.gen(function*() {
      const truncated = JSON.stringify(completion("Answer: 4")).slice(0, 40)
      const { fetch } = scriptedFetch([{ text: truncated }])
      const llm = yield* client(fetch)
      const error = yield* Effect.flip(llm.chat(request))
      assert.strictEqual(error.category, "parsing_error")

      const html = scriptedFetch([{ text: "<html>gateway</html>", headers: { "content-type": "text/html" } }])
      const error2 = yield* Effect.flip((yield* client(html.fetch)).chat(request))
      assert.strictEqual(error2.category, "parsing_error")
      assert.include(error2.message, "Malformed reply")
    }))

  it.effect("an error object in a 200 body is treated as that error (and retried when recoverable)", () =>
    Effect.gen(function*() {
      const { calls, fetch } = scriptedFetch([
        { body: { ...completion(""), error: { code: 502, message: "Provider disconnected" } } },
        { body: completion("Answer: 4") }
      ])
      const llm = yield* client(fetch)
      const fiber = yield* Effect.fork(llm.chat(request))
      const exit = yield* drive(fiber)
      assert.isTrue(Exit.isSuccess(exit))
      assert.strictEqual(calls.length, 2)
    }))

  it.effect("content_filter is a content_guardrail error, no choices a parsing_error", () =>
    Effect.gen(function*() {
      const filtered = scriptedFetch([{
        body: completion("", { choices: [{ finish_reason: "content_filter", message: { content: "" } }] })
      }])
      assert.strictEqual((yield* Effect.flip((yield* client(filtered.fetch)).chat(request))).category, "content_guardrail")
      const empty = scriptedFetch([{ body: completion("", { choices: [] }) }])
      const error = yield* Effect.flip((yield* client(empty.fetch)).chat(request))
      assert.strictEqual(error.category, "parsing_error")
      assert.include(error.message, "Malformed reply")
    }))

  it.effect("interrupting the fiber aborts the HTTP request", () =>
    Effect.gen(function*() {
      const { calls, fetch } = scriptedFetch([{ hang: true }])
      const llm = yield* client(fetch)
      const fiber = yield* Effect.fork(llm.chat(request))
      while (calls.length === 0) yield* tick(2)
      assert.isFalse(calls[0]!.signal!.aborted)
      const exit = yield* Fiber.interrupt(fiber)
      assert.isTrue(Exit.isInterrupted(exit))
      assert.isTrue(calls[0]!.signal!.aborted)
    }))

  it.live("the per-attempt timeout ends a hung request as network_timeout", () =>
    Effect.gen(function*() {
      const { calls, fetch } = scriptedFetch([{ hang: true }])
      const llm = yield* client(fetch, { timeoutMs: 50, maxRetries: 0 })
      const error = yield* Effect.flip(llm.chat(request))
      assert.strictEqual(error.category, "network_timeout")
      assert.strictEqual(error.recoverable, true)
      assert.isTrue(calls[0]!.signal!.aborted)
    }))
})

const modelsBody = {
  data: [{ id: "openai/gpt-4o-mini", name: "GPT-4o mini", context_length: 128000, pricing: { prompt: "0.00000015", completion: "0.0000006" } }]
}

describe("listModels", () => {
  it.effect("is cached for 24 hours in memory", () =>
    Effect.gen(function*() {
      const { calls, fetch } = scriptedFetch([{ body: modelsBody }])
      const llm = yield* client(fetch)
      const first = yield* llm.listModels
      const second = yield* llm.listModels
      assert.deepStrictEqual(second, first)
      assert.strictEqual(first[0]!.pricing!.promptPerToken, 0.00000015)
      assert.strictEqual(calls.length, 1)
      assert.strictEqual(calls[0]!.url, `${BASE}/models`)
      yield* TestClock.adjust("23 hours")
      yield* llm.listModels
      assert.strictEqual(calls.length, 1)
      yield* TestClock.adjust("1 hour")
      yield* llm.listModels
      assert.strictEqual(calls.length, 2)
    }))

  it.effect("failures are not cached", () =>
    Effect.gen(function*() {
      const { calls, fetch } = scriptedFetch([{ status: 500, body: errorBody(500, "down") }, { body: modelsBody }])
      const llm = yield* client(fetch, { maxRetries: 0 })
      const error = yield* Effect.flip(llm.listModels)
      assert.strictEqual(error.status, 500)
      const models = yield* llm.listModels
      assert.strictEqual(models.length, 1)
      assert.strictEqual(calls.length, 2)
    }))

  it.effect("concurrent callers share one fetch", () =>
    Effect.gen(function*() {
      const { calls, fetch } = scriptedFetch([{ body: modelsBody }])
      const llm = yield* client(fetch)
      const all = yield* Effect.all([llm.listModels, llm.listModels, llm.listModels], { concurrency: "unbounded" })
      assert.strictEqual(all.length, 3)
      assert.strictEqual(calls.length, 1)
    }))

  it.effect("is persisted in a KeyValueStore with its fetch time across client builds", () =>
    Effect.gen(function*() {
      const { calls, fetch } = scriptedFetch([{ body: modelsBody }])
      yield* (yield* client(fetch)).listModels
      assert.strictEqual(calls.length, 1)
      // A second client ("a new process") reads the stored list instead of fetching.
      const again = yield* (yield* client(fetch)).listModels
      assert.strictEqual(again[0]!.id, "openai/gpt-4o-mini")
      assert.strictEqual(calls.length, 1)
      // Another base URL is another list.
      yield* (yield* client(fetch, { baseURL: "http://127.0.0.1:1/v1" })).listModels
      assert.strictEqual(calls.length, 2)
      // Past 24 hours the stored list is stale.
      yield* TestClock.adjust("25 hours")
      yield* (yield* client(fetch)).listModels
      assert.strictEqual(calls.length, 3)
    }).pipe(Effect.provide(KeyValueStore.layerMemory)))

  it.effect("a corrupt store entry is ignored and overwritten", () =>
    Effect.gen(function*() {
      const store = yield* KeyValueStore.KeyValueStore
      yield* store.set(`@ml-agents/openrouter/models/${BASE}`, "{not json")
      const { calls, fetch } = scriptedFetch([{ body: modelsBody }])
      const models = yield* (yield* client(fetch)).listModels
      assert.strictEqual(models.length, 1)
      assert.strictEqual(calls.length, 1)
      const stored = yield* store.get(`@ml-agents/openrouter/models/${BASE}`)
      assert.include(Option.getOrThrow(stored), "gpt-4o-mini")
    }).pipe(Effect.provide(KeyValueStore.layerMemory)))
})

describe("keyInfo", () => {
  it.effect("reads GET /key", () =>
    Effect.gen(function*() {
      const { calls, fetch } = scriptedFetch([{
        body: { data: { label: "sk-or-v1-abc...789", usage: 2.5, limit: 20, limit_remaining: 17.5, is_free_tier: false } }
      }])
      const info = yield* (yield* client(fetch)).keyInfo
      assert.deepStrictEqual(info, { label: "sk-or-v1-abc...789", usageUsd: 2.5, limitUsd: 20, limitRemainingUsd: 17.5, isFreeTier: false })
      assert.strictEqual(calls[0]!.url, `${BASE}/key`)
    }))

  it.effect("a 401 is an authentication_error naming OPENROUTER_API_KEY", () =>
    Effect.gen(function*() {
      const { fetch } = scriptedFetch([{ status: 401, body: errorBody(401, "User not found.") }])
      const error = yield* Effect.flip((yield* client(fetch)).keyInfo)
      assert.strictEqual(error.category, "authentication_error")
      assert.include(error.message, "OPENROUTER_API_KEY")
    }))
})
