/**
 * End to end over real HTTP on 127.0.0.1: the `@ml-agents/simulator` (OpenRouter's wire format,
 * faults included) and, where the simulator does not expose what the client sent, a small
 * recording server of our own.
 */
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { assert, describe, it } from "@effect/vitest"
import { LlmClient } from "@ml-agents/core"
import { type FaultRule, type RunningSimulator, start } from "@ml-agents/simulator"
import { ConfigProvider, Effect, Exit, Fiber, Layer, Redacted } from "effect"
import { OpenRouterClient } from "../src/index.js"
import { recordingServer, tick } from "./support.js"

const SIM_KEY = "sk-sim-local"
const QUESTION = "What is the capital of France?"
const request = { model: "openai/gpt-4o-mini", messages: [{ role: "user" as const, content: QUESTION }] }

const simulator = (options: { faults?: Array<FaultRule>; creditLimitUsd?: number } = {}) =>
  Effect.acquireRelease(
    Effect.promise(() => start({ questions: [{ question: QUESTION, answer: "Paris" }], accuracy: 1, ...options })),
    (sim) => Effect.promise(() => sim.close())
  )

const client = (sim: RunningSimulator, options: Partial<OpenRouterClient.OpenRouterOptions> = {}) =>
  OpenRouterClient.make({ apiKey: Redacted.make(SIM_KEY), baseURL: sim.url, ...options })

describe("against the simulator", () => {
  it.scoped("chat round-trip with usage, cost, provider and generation id", () =>
    Effect.gen(function*() {
      const sim = yield* simulator()
      const llm = yield* client(sim)
      const response = yield* llm.chat({ ...request, temperature: 0, maxTokens: 100 })
      assert.strictEqual(response.content, "Answer: Paris")
      assert.strictEqual(response.finishReason, "stop")
      assert.strictEqual(response.attempts, 1)
      assert.strictEqual(response.model, "openai/gpt-4o-mini")
      assert.strictEqual(response.provider, "SimProvider")
      assert.match(response.generationId ?? "", /^gen-/)
      assert.isAbove(response.usage.promptTokens, 0)
      assert.isAbove(response.usage.completionTokens, 0)
      assert.strictEqual(response.usage.totalTokens, response.usage.promptTokens + response.usage.completionTokens)
      assert.isAbove(response.costUsd ?? 0, 0)
      assert.closeTo(response.costUsd ?? 0, sim.stats().totalCostUsd, 1e-12)
      assert.strictEqual(sim.stats().requests.chat, 1)
    }))

  it.scoped("reasoning tokens are reported", () =>
    Effect.gen(function*() {
      const sim = yield* Effect.acquireRelease(
        Effect.promise(() =>
          start({
            questions: [{ question: QUESTION, answer: "Paris" }],
            models: [{ id: "sim/thinker", promptPrice: 1e-6, completionPrice: 2e-6, reasoningTokens: 25 }]
          })
        ),
        (s) => Effect.promise(() => s.close())
      )
      const response = yield* (yield* client(sim)).chat({ ...request, model: "sim/thinker" })
      assert.strictEqual(response.usage.reasoningTokens, 25)
      assert.isAtLeast(response.usage.completionTokens, 25)
    }))

  it.scoped("a wrong key is an authentication_error naming OPENROUTER_API_KEY, never the key", () =>
    Effect.gen(function*() {
      const sim = yield* simulator()
      const wrong = "sk-or-v1-wrongwrongwrongwrong0123"
      const llm = yield* client(sim, { apiKey: Redacted.make(wrong) })
      const error = yield* Effect.flip(llm.chat(request))
      assert.strictEqual(error.category, "authentication_error")
      assert.strictEqual(error.status, 401)
      assert.strictEqual(error.recoverable, false)
      assert.include(error.message, "OPENROUTER_API_KEY")
      assert.notInclude(error.message, wrong)
      assert.strictEqual(sim.stats().requests.unauthorized, 1)
    }))

  it.scoped("402 is credit_limit_exceeded and not retried", () =>
    Effect.gen(function*() {
      const sim = yield* simulator({ faults: [{ fault: { type: "status", status: 402 } }] })
      const error = yield* Effect.flip((yield* client(sim)).chat(request))
      assert.strictEqual(error.category, "credit_limit_exceeded")
      assert.strictEqual(error.recoverable, false)
      assert.include(error.message, "Insufficient credits")
      assert.strictEqual(sim.stats().requests.chat, 1)
    }))

  it.scoped("the credit limit of the account ends in credit_limit_exceeded", () =>
    Effect.gen(function*() {
      const sim = yield* simulator({ creditLimitUsd: 0 })
      const llm = yield* client(sim)
      yield* llm.chat(request)
      const error = yield* Effect.flip(llm.chat(request))
      assert.strictEqual(error.category, "credit_limit_exceeded")
    }))

  it.live("429 with Retry-After once, then success: attempts 2, after waiting", () =>
    Effect.scoped(Effect.gen(function*() {
      const sim = yield* simulator({
        faults: [{ fault: { type: "status", status: 429, retryAfterSeconds: 1 }, times: 1 }]
      })
      const llm = yield* client(sim, { retry: { baseDelayMs: 10 } })
      const started = Date.now()
      const response = yield* llm.chat(request)
      assert.strictEqual(response.attempts, 2)
      assert.strictEqual(response.content, "Answer: Paris")
      assert.isAtLeast(Date.now() - started, 950)
      assert.strictEqual(sim.stats().requests.chat, 2)
      assert.strictEqual(sim.stats().faultsInjected, 1)
    })))

  it.live("transient 5xx are retried with backoff; retries stop at maxRetries", () =>
    Effect.scoped(Effect.gen(function*() {
      const sim = yield* simulator({ faults: [{ fault: { type: "status", status: 502 } }] })
      const llm = yield* client(sim, { maxRetries: 2, retry: { baseDelayMs: 5 } })
      const error = yield* Effect.flip(llm.chat(request))
      assert.strictEqual(error.status, 502)
      assert.strictEqual(error.recoverable, true)
      assert.strictEqual(sim.stats().requests.chat, 3)
    })))

  const replyFaults: ReadonlyArray<readonly [FaultRule["fault"], string]> = [
    [{ type: "malformed" }, "parsing_error"],
    [{ type: "empty" }, "parsing_error"],
    [{ type: "content_filter" }, "content_guardrail"],
    [{ type: "status", status: 400 }, "bad_request"],
    [{ type: "status", status: 403 }, "content_guardrail"]
  ]
  for (const [fault, category] of replyFaults) {
    it.scoped(`${JSON.stringify(fault)} → ${category}`, () =>
      Effect.gen(function*() {
        const sim = yield* simulator({ faults: [{ fault }] })
        const error = yield* Effect.flip((yield* client(sim)).chat(request))
        assert.strictEqual(error.category, category)
        assert.strictEqual(sim.stats().requests.chat, 1)
      }))
  }

  it.scoped("a refusal is an ordinary reply (its content tells)", () =>
    Effect.gen(function*() {
      const sim = yield* simulator({ faults: [{ fault: { type: "refusal" } }] })
      const response = yield* (yield* client(sim)).chat(request)
      assert.match(response.content, /can't help/)
    }))

  it.live("a hung request times out as network_timeout", () =>
    Effect.scoped(Effect.gen(function*() {
      const sim = yield* simulator({ faults: [{ fault: { type: "timeout" } }] })
      const llm = yield* client(sim, { timeoutMs: 200, maxRetries: 0 })
      const started = Date.now()
      const error = yield* Effect.flip(llm.chat(request))
      assert.strictEqual(error.category, "network_timeout")
      assert.strictEqual(error.recoverable, true)
      assert.isBelow(Date.now() - started, 5000)
    })))

  it.live("interrupting a chat fiber during a hung request aborts it promptly", () =>
    Effect.scoped(Effect.gen(function*() {
      const sim = yield* simulator({ faults: [{ fault: { type: "timeout" }, times: 1 }] })
      const llm = yield* client(sim, { timeoutMs: 60_000 })
      const fiber = yield* Effect.fork(llm.chat(request))
      while (sim.stats().requests.chat === 0) yield* tick(5)
      const started = Date.now()
      const exit = yield* Fiber.interrupt(fiber)
      assert.isTrue(Exit.isInterrupted(exit))
      assert.isBelow(Date.now() - started, 3000)
      // The server saw the connection go: after a reset, nothing is in flight any more.
      let inFlight = 1
      for (let i = 0; i < 100 && inFlight > 0; i++) {
        yield* tick(10)
        sim.reset()
        inFlight = sim.stats().maxConcurrentChat
      }
      assert.strictEqual(inFlight, 0)
      // And the client still works (reset() re-armed the fault rule, so drop it).
      sim.configure({ faults: [] })
      const response = yield* llm.chat(request)
      assert.strictEqual(response.content, "Answer: Paris")
    })))

  it.scoped("listModels is cached: a second call makes no request", () =>
    Effect.gen(function*() {
      const sim = yield* simulator()
      const llm = yield* client(sim)
      const models = yield* llm.listModels
      const mini = models.find((m) => m.id === "openai/gpt-4o-mini")
      assert.isDefined(mini)
      assert.strictEqual(mini!.contextLength, 128_000)
      assert.closeTo(mini!.pricing!.promptPerToken, 0.15 / 1e6, 1e-15)
      assert.closeTo(mini!.pricing!.completionPerToken, 0.6 / 1e6, 1e-15)
      assert.include(mini!.supportedParameters, "temperature")
      yield* llm.listModels
      assert.strictEqual(sim.stats().requests.models, 1)
    }))

  it.scoped("listModels failures are not cached", () =>
    Effect.gen(function*() {
      const sim = yield* simulator({ faults: [{ endpoint: "models", fault: { type: "status", status: 400 }, times: 1 }] })
      const llm = yield* client(sim)
      assert.strictEqual((yield* Effect.flip(llm.listModels)).category, "bad_request")
      assert.isAbove((yield* llm.listModels).length, 0)
      assert.strictEqual(sim.stats().requests.models, 2)
    }))

  it.scoped("listModels is persisted in a KeyValueStore across two layer builds", () =>
    Effect.gen(function*() {
      const sim = yield* simulator()
      const store = yield* Layer.build(KeyValueStore.layerMemory)
      const clientLayer = OpenRouterClient.layer({ apiKey: Redacted.make(SIM_KEY), baseURL: sim.url }).pipe(
        Layer.provide(Layer.succeedContext(store))
      )
      const list = Effect.flatMap(LlmClient.LlmClient, (llm) => llm.listModels)
      const first = yield* Effect.provide(list, clientLayer)
      const second = yield* Effect.provide(list, clientLayer)
      assert.deepStrictEqual(second, first)
      assert.strictEqual(sim.stats().requests.models, 1)
      // Without the store, a fresh layer fetches again.
      yield* Effect.provide(list, OpenRouterClient.layer({ apiKey: Redacted.make(SIM_KEY), baseURL: sim.url }))
      assert.strictEqual(sim.stats().requests.models, 2)
    }))

  it.scoped("keyInfo reads the key endpoint; a wrong key is an authentication_error", () =>
    Effect.gen(function*() {
      const sim = yield* simulator({ creditLimitUsd: 5 })
      const llm = yield* client(sim)
      yield* llm.chat(request)
      const info = yield* llm.keyInfo
      assert.strictEqual(info.label, "sim key")
      assert.strictEqual(info.limitUsd, 5)
      assert.closeTo(info.usageUsd ?? -1, sim.stats().totalCostUsd, 1e-12)
      assert.closeTo(info.limitRemainingUsd ?? -1, 5 - sim.stats().totalCostUsd, 1e-12)
      assert.strictEqual(info.isFreeTier, false)
      const error = yield* Effect.flip((yield* client(sim, { apiKey: Redacted.make("sk-nope-nope") })).keyInfo)
      assert.strictEqual(error.category, "authentication_error")
      assert.include(error.message, "OPENROUTER_API_KEY")
    }))
})

describe("against a recording server", () => {
  const chatReply = {
    id: "chatcmpl-local",
    model: "llama3",
    choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "4" } }],
    usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 }
  }

  it.scoped("layerConfig sends the attribution headers, privacy routing and usage accounting", () =>
    Effect.gen(function*() {
      const server = yield* recordingServer(() => ({ status: 200, body: chatReply }))
      const env = new Map([
        ["OPENROUTER_API_KEY", "sk-or-v1-from-env-0123456789"],
        ["OPENROUTER_BASE_URL", server.url],
        ["APP_NAME", "Bench Runner"],
        ["APP_URL", "https://example.org/bench"],
        ["OPENROUTER_DATA_COLLECTION", "deny"],
        ["OPENROUTER_TIMEOUT", "5"]
      ])
      const response = yield* Effect.flatMap(LlmClient.LlmClient, (llm) => llm.chat(request)).pipe(
        Effect.provide(OpenRouterClient.layerConfig()),
        Effect.withConfigProvider(ConfigProvider.fromMap(env))
      )
      // A plain OpenAI-compatible reply: no cost, no provider.
      assert.strictEqual(response.content, "4")
      assert.strictEqual(response.costUsd, null)
      assert.strictEqual(response.provider, null)
      assert.strictEqual(response.model, "llama3")

      assert.strictEqual(server.seen.length, 1)
      const seen = server.seen[0]!
      assert.strictEqual(seen.path, "/api/v1/chat/completions")
      assert.strictEqual(seen.headers["http-referer"], "https://example.org/bench")
      assert.strictEqual(seen.headers["x-title"], "Bench Runner")
      assert.strictEqual(seen.headers["authorization"], "Bearer sk-or-v1-from-env-0123456789")
      const body = seen.body as Record<string, any>
      assert.deepStrictEqual(body["provider"], { data_collection: "deny" })
      assert.deepStrictEqual(body["usage"], { include: true })
      assert.strictEqual(body["model"], request.model)
      assert.deepStrictEqual(body["messages"], request.messages)
    }))

  it.scoped("with OpenRouter fields off, only standard fields are sent", () =>
    Effect.gen(function*() {
      const server = yield* recordingServer(() => ({ status: 200, body: chatReply }))
      const llm = yield* OpenRouterClient.make({
        apiKey: Redacted.make("ollama"),
        baseURL: server.url,
        dataCollection: "deny",
        openRouterFields: false
      })
      yield* llm.chat(request)
      const body = server.seen[0]!.body as Record<string, unknown>
      assert.deepStrictEqual(Object.keys(body).sort(), ["messages", "model"])
    }))

  it.scoped("a 200 carrying an error object is that error", () =>
    Effect.gen(function*() {
      const server = yield* recordingServer(() => ({
        status: 200,
        body: { ...chatReply, choices: [{ index: 0, finish_reason: "error", message: { content: "" } }], error: { code: 402, message: "Out of credits mid-generation" } }
      }))
      const llm = yield* OpenRouterClient.make({ apiKey: Redacted.make("k-1234"), baseURL: server.url })
      const error = yield* Effect.flip(llm.chat(request))
      assert.strictEqual(error.category, "credit_limit_exceeded")
      assert.include(error.message, "Out of credits mid-generation")
    }))

  it.live.each([
    ["nodeFetch, which reads the body before it answers", undefined],
    ["a fetch that streams the body, where the SDK's timeout stops at the headers", globalThis.fetch]
  ] as const)("a body that stalls after the headers still times out: %s", ([, fetch]) =>
    Effect.gen(function*() {
      const server = yield* Effect.acquireRelease(
        Effect.promise(() =>
          new Promise<Server>((resolve) => {
            const s = createServer((_req, res) => {
              res.writeHead(200, { "content-type": "application/json" })
              res.write("{\"id\": \"gen-stall\", ")
            })
            s.listen(0, "127.0.0.1", () => resolve(s))
          })
        ),
        (s) => Effect.promise(() => new Promise<void>((resolve) => {
          s.close(() => resolve())
          s.closeAllConnections()
        }))
      )
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`
      const llm = yield* OpenRouterClient.make({ apiKey: Redacted.make("k-1234"), baseURL: url, timeoutMs: 300, maxRetries: 0, fetch })
      const started = Date.now()
      const error = yield* Effect.flip(llm.chat(request))
      assert.strictEqual(error.category, "network_timeout")
      assert.isBelow(Date.now() - started, 5000)
    }).pipe(Effect.scoped))

  it.live("connection refused is a recoverable network error naming the base URL", () =>
    Effect.gen(function*() {
      // A port that was just free: nothing listens there (port 1 would be refused by fetch itself).
      const probe = yield* Effect.promise(() =>
        new Promise<number>((resolve) => {
          const server = createServer()
          server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as AddressInfo).port
            server.close(() => resolve(port))
          })
        })
      )
      const url = `http://127.0.0.1:${probe}/api/v1`
      const llm = yield* OpenRouterClient.make({ apiKey: Redacted.make("k-1234"), baseURL: url, maxRetries: 0 })
      const error = yield* Effect.flip(llm.chat(request))
      assert.strictEqual(error.category, "network_timeout")
      assert.strictEqual(error.recoverable, true)
      assert.include(error.message, url)
      assert.include(error.message, "ECONNREFUSED")
    }))
})
