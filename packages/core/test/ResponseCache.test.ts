/**
 * The response cache: what its key covers, and a caching client that answers hits without a model
 * call, keeps repeated samples apart, never stores errors and survives a failing cache.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Logger, Option, TestClock } from "effect"
import type * as LlmClient from "../src/LlmClient.js"
import { type ChatRequest, LlmError } from "../src/LlmClient.js"
import * as ResponseCache from "../src/ResponseCache.js"
import * as ScriptedLlmClient from "../src/ScriptedLlmClient.js"
import { StorageError } from "../src/StorageError.js"

const request: ChatRequest = {
  model: "openai/gpt-4o-mini",
  messages: [
    { role: "system", content: "Answer with a number." },
    { role: "user", content: "What is 2 + 2?" }
  ],
  temperature: 0.7,
  maxTokens: 256,
  topP: 0.9,
  stop: ["\n\n"],
  responseFormat: {
    type: "json_schema",
    name: "answer",
    schema: { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] }
  }
}

/** A client whose n-th model call answers `answer n`. */
const counting = () => ScriptedLlmClient.make((_, index) => `answer ${index}`)

const withCache = <A, E>(body: (cache: ResponseCache.ResponseCache.Service) => Effect.Effect<A, E>) =>
  Effect.flatMap(ResponseCache.ResponseCache, body).pipe(Effect.provide(ResponseCache.layerMemory))

describe("ResponseCache.key", () => {
  it.effect("is a stable SHA-256 hex digest", () =>
    Effect.gen(function*() {
      const first = yield* ResponseCache.key(request, 0)
      assert.match(first, /^[0-9a-f]{64}$/)
      assert.strictEqual(yield* ResponseCache.key(request, 0), first)
      assert.strictEqual(yield* ResponseCache.key(structuredClone(request), 0), first)
    }))

  it.effect("is the SHA-256 of the request's canonical JSON with the sample index", () =>
    Effect.gen(function*() {
      // Pins the format: a change here silently empties everyone's cache, so it must be deliberate
      // (and come with a new KEY_VERSION).
      const canonical = `{"request":{"messages":[{"content":"hi","role":"user"}],"model":"m","temperature":0,"version":${ResponseCache.KEY_VERSION}},"sample":2}`
      const digest = yield* Effect.promise(() => crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical)))
      const expected = Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("")
      const small: ChatRequest = { model: "m", messages: [{ role: "user", content: "hi" }], temperature: 0 }
      assert.strictEqual(yield* ResponseCache.key(small, 2), expected)
    }))

  it.effect("does not depend on the order of keys in objects, nor on undefined fields", () =>
    Effect.gen(function*() {
      const reordered: ChatRequest = {
        responseFormat: {
          schema: { required: ["answer"], properties: { answer: { type: "string" } }, type: "object" },
          name: "answer",
          type: "json_schema"
        },
        stop: ["\n\n"],
        topP: 0.9,
        maxTokens: 256,
        temperature: 0.7,
        messages: request.messages.map((m) => ({ content: m.content, role: m.role })),
        model: "openai/gpt-4o-mini"
      }
      assert.strictEqual(yield* ResponseCache.key(reordered, 3), yield* ResponseCache.key(request, 3))

      const bare: ChatRequest = { model: "m", messages: [{ role: "user", content: "hi" }] }
      const explicit: ChatRequest = { ...bare, temperature: undefined, stop: undefined, responseFormat: undefined }
      assert.strictEqual(yield* ResponseCache.key(explicit, 0), yield* ResponseCache.key(bare, 0))
    }))

  it.effect("changes with every field that determines the reply, and with the sample index", () =>
    Effect.gen(function*() {
      const variants: ReadonlyArray<readonly [string, ChatRequest, number]> = [
        ["as is", request, 0],
        ["sample index", request, 1],
        ["model", { ...request, model: "openai/gpt-4o" }, 0],
        ["message content", { ...request, messages: [request.messages[0]!, { role: "user", content: "What is 2+2?" }] }, 0],
        ["message role", { ...request, messages: [{ ...request.messages[0]!, role: "user" }, request.messages[1]!] }, 0],
        ["one message more", { ...request, messages: [...request.messages, { role: "assistant", content: "4" }] }, 0],
        ["message order", { ...request, messages: [...request.messages].reverse() }, 0],
        ["temperature", { ...request, temperature: 0.8 }, 0],
        ["no temperature", { ...request, temperature: undefined }, 0],
        ["maxTokens", { ...request, maxTokens: 257 }, 0],
        ["topP", { ...request, topP: 1 }, 0],
        ["stop", { ...request, stop: ["\n"] }, 0],
        ["responseFormat type", { ...request, responseFormat: { type: "json_object" } }, 0],
        ["responseFormat name", { ...request, responseFormat: { ...request.responseFormat!, name: "reply" } as never }, 0],
        ["responseFormat schema", {
          ...request,
          responseFormat: { type: "json_schema", name: "answer", schema: { type: "object" } }
        }, 0]
      ]
      const keys = new Map<string, string>()
      for (const [what, variant, index] of variants) {
        const key = yield* ResponseCache.key(variant, index)
        const clash = [...keys].find(([, other]) => other === key)
        assert.isUndefined(clash, `${what} gives the same key as ${clash?.[0]}`)
        keys.set(what, key)
      }
    }))
})

describe("ResponseCache.make", () => {
  it.effect("answers a hit from the cache, with attempts 0 and no model call", () =>
    withCache((cache) =>
      Effect.gen(function*() {
        const scripted = ScriptedLlmClient.make(() => ({ content: "4", costUsd: 0.002, generationId: "gen-1", attempts: 2 }))
        const first = ResponseCache.make(scripted.client, cache)
        const answered = yield* first.client.chat(request)
        assert.strictEqual(answered.attempts, 2)
        assert.deepStrictEqual(first.stats(), { hits: 0, misses: 1, failures: 0 })

        const again = ResponseCache.make(scripted.client, cache)
        const replayed = yield* again.client.chat(request)
        assert.strictEqual(scripted.requests.length, 1)
        assert.deepStrictEqual(replayed, { ...answered, attempts: 0 })
        assert.deepStrictEqual(again.stats(), { hits: 1, misses: 0, failures: 0 })
      })
    ))

  it.effect("stores a response under key(request, 0) for the first call", () =>
    withCache((cache) =>
      Effect.gen(function*() {
        const scripted = counting()
        yield* ResponseCache.wrap(scripted.client, cache).chat(request)
        const stored = yield* cache.get(yield* ResponseCache.key(request, 0))
        assert.strictEqual(Option.getOrThrow(stored).content, "answer 0")
      })
    ))

  it.effect("gives repeated identical requests indices 0, 1, 2; a fresh client replays them in order", () =>
    withCache((cache) =>
      Effect.gen(function*() {
        const scripted = counting()
        const question1 = ResponseCache.make(scripted.client, cache)
        const sampled = yield* Effect.forEach([0, 1, 2], () => question1.client.chat(request))
        assert.deepStrictEqual(sampled.map((r) => r.content), ["answer 0", "answer 1", "answer 2"])
        assert.strictEqual(scripted.requests.length, 3)
        for (const [index, content] of ["answer 0", "answer 1", "answer 2"].entries()) {
          const stored = yield* cache.get(yield* ResponseCache.key(request, index))
          assert.strictEqual(Option.getOrThrow(stored).content, content)
        }

        // The re-run of the same question: same answers in the same order, nothing asked.
        const rerun = ResponseCache.make(scripted.client, cache)
        const replayed = yield* Effect.forEach([0, 1, 2], () => rerun.client.chat(request))
        assert.deepStrictEqual(replayed.map((r) => r.content), ["answer 0", "answer 1", "answer 2"])
        assert.strictEqual(scripted.requests.length, 3)
        assert.deepStrictEqual(rerun.stats(), { hits: 3, misses: 0, failures: 0 })

        // One sample more than last time goes to the model.
        assert.strictEqual((yield* rerun.client.chat(request)).content, "answer 3")
        assert.strictEqual(scripted.requests.length, 4)
      })
    ))

  it.effect("counts samples per request: a different request starts at index 0", () =>
    withCache((cache) =>
      Effect.gen(function*() {
        const scripted = counting()
        const other: ChatRequest = { ...request, messages: [{ role: "user", content: "What is 3 + 3?" }] }
        const caching = ResponseCache.make(scripted.client, cache)
        yield* caching.client.chat(request)
        yield* caching.client.chat(other)
        yield* caching.client.chat(request)
        const keys = [yield* ResponseCache.key(request, 0), yield* ResponseCache.key(other, 0), yield* ResponseCache.key(request, 1)]
        const stored = yield* Effect.forEach(keys, (key) => cache.get(key))
        assert.deepStrictEqual(stored.map((r) => Option.getOrThrow(r).content), ["answer 0", "answer 1", "answer 2"])
      })
    ))

  it.effect("gives concurrent identical requests distinct indices", () =>
    withCache((cache) =>
      Effect.gen(function*() {
        const scripted = counting()
        const caching = ResponseCache.make(scripted.client, cache)
        const both = yield* Effect.all([caching.client.chat(request), caching.client.chat(request)], {
          concurrency: "unbounded"
        })
        assert.sameMembers(both.map((r) => r.content), ["answer 0", "answer 1"])
        // Had both taken index 0, only one would be stored and the second replay would ask again.
        const rerun = ResponseCache.make(scripted.client, cache)
        const replayed = yield* Effect.all([rerun.client.chat(request), rerun.client.chat(request)], {
          concurrency: "unbounded"
        })
        assert.sameMembers(replayed.map((r) => r.content), ["answer 0", "answer 1"])
        assert.strictEqual(scripted.requests.length, 2)
      })
    ))

  it.effect("never stores an error", () =>
    withCache((cache) =>
      Effect.gen(function*() {
        const scripted = ScriptedLlmClient.make((_, index) =>
          index === 0
            ? new LlmError({ category: "rate_limit_exceeded", message: "slow down", status: 429, recoverable: true })
            : "4"
        )
        const failed = yield* ResponseCache.wrap(scripted.client, cache).chat(request).pipe(Effect.flip)
        assert.strictEqual(failed.category, "rate_limit_exceeded")
        assert.isTrue(Option.isNone(yield* cache.get(yield* ResponseCache.key(request, 0))))

        const rerun = ResponseCache.make(scripted.client, cache)
        assert.strictEqual((yield* rerun.client.chat(request)).content, "4")
        assert.strictEqual(scripted.requests.length, 2)
        assert.deepStrictEqual(rerun.stats(), { hits: 0, misses: 1, failures: 0 })
      })
    ))

  it.effect("goes on to the model when the cache fails, with a warning", () =>
    Effect.gen(function*() {
      const broken: ResponseCache.ResponseCache.Service = {
        get: (key) => Effect.fail(new StorageError({ operation: "ResponseCache.get", message: `database is locked (${key})` })),
        put: () => Effect.fail(new StorageError({ operation: "ResponseCache.put", message: "disk full" }))
      }
      const warnings: Array<string> = []
      const logger = Logger.make(({ logLevel, message }) => {
        if (logLevel._tag === "Warning") warnings.push([message].flat().join(" "))
      })
      const scripted = counting()
      const caching = ResponseCache.make(scripted.client, broken)
      const response = yield* caching.client.chat(request).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      assert.strictEqual(response.content, "answer 0")
      assert.strictEqual(response.attempts, 1)
      assert.deepStrictEqual(caching.stats(), { hits: 0, misses: 1, failures: 2 })
      assert.strictEqual(warnings.length, 2)
      assert.include(warnings[0], "database is locked")
      assert.include(warnings[1], "disk full")
    }))

  it.effect("stores a paid-for reply even when interrupted while storing it", () =>
    Effect.gen(function*() {
      const entries = new Map<string, LlmClient.ChatResponse>()
      const storing = yield* Deferred.make<void>()
      const slow: ResponseCache.ResponseCache.Service = {
        get: () => Effect.succeedNone,
        put: (key, _request, response) =>
          Deferred.succeed(storing, undefined).pipe(
            Effect.zipRight(Effect.sleep("1 second")),
            Effect.zipRight(Effect.sync(() => void entries.set(key, response)))
          )
      }
      const fiber = yield* Effect.fork(ResponseCache.wrap(counting().client, slow).chat(request))
      yield* Deferred.await(storing)
      yield* Fiber.interruptFork(fiber)
      yield* TestClock.adjust("1 second")
      assert.isTrue(Exit.isInterrupted(yield* Fiber.await(fiber)))
      assert.strictEqual(entries.get(yield* ResponseCache.key(request, 0))?.content, "answer 0")
    }))

  it.effect("lets an interruption abort the model call, and stores nothing", () =>
    withCache((cache) =>
      Effect.gen(function*() {
        const asked = yield* Deferred.make<void>()
        const scripted = ScriptedLlmClient.make(() => Deferred.succeed(asked, undefined).pipe(Effect.zipRight(Effect.never)))
        const fiber = yield* Effect.fork(ResponseCache.wrap(scripted.client, cache).chat(request))
        yield* Deferred.await(asked)
        assert.isTrue(Exit.isInterrupted(yield* Fiber.interrupt(fiber)))
        assert.isTrue(Option.isNone(yield* cache.get(yield* ResponseCache.key(request, 0))))
      })
    ))

  it.effect("passes listModels and keyInfo through", () =>
    withCache((cache) =>
      Effect.gen(function*() {
        const models = [{ id: "m/x", name: "X", contextLength: 8192, supportedParameters: [], pricing: null }]
        const scripted = ScriptedLlmClient.make(() => "4", { models })
        const client = ResponseCache.wrap(scripted.client, cache)
        assert.deepStrictEqual(yield* client.listModels, models)
        assert.strictEqual((yield* client.keyInfo).label, "scripted")
      })
    ))
})
