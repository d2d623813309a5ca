/**
 * OpenRouter's wire format as the simulator speaks it: completion shape, usage and cost, max_tokens,
 * auth and request errors, /models, /key, /generation, the credit limit and the /__sim control API.
 */
import { describe, expect, it } from "vitest"
import type { SimModel } from "../src/index.js"
import { ask, chat, get, root, simulators } from "./helpers.js"

const sim = simulators()

const priced: SimModel = { id: "test/priced", promptPrice: 0.001, completionPrice: 0.002, reasoningTokens: 5, accuracy: 1 }
const q = { question: "What is 2 plus 2?", answer: "4" }

describe("chat completions", () => {
  it("returns OpenRouter's completion shape with usage and cost", async () => {
    const s = await sim({ questions: [q], models: [priced] })
    const system = "You are terse." // 14 chars
    const user = q.question // 17 chars
    const r = await chat(s, {
      model: "test/priced",
      messages: [
        { role: "system", content: system },
        { role: "user", content: user }
      ]
    })
    expect(r.status).toBe(200)
    expect(r.headers.get("content-type")).toMatch(/application\/json/)
    const body = r.json
    expect(body.id).toMatch(/^gen-/)
    expect(body.object).toBe("chat.completion")
    expect(body.model).toBe("test/priced")
    expect(body.provider).toBe("SimProvider")
    expect(typeof body.created).toBe("number")
    expect(body.choices).toHaveLength(1)
    expect(body.choices[0].index).toBe(0)
    expect(body.choices[0].message.role).toBe("assistant")
    expect(body.choices[0].message.content).toBe("Answer: 4")
    expect(body.choices[0].finish_reason).toBe("stop")
    expect(body.choices[0].native_finish_reason).toBe("stop")

    const promptTokens = Math.ceil((system.length + user.length) / 4) // 8
    const completionTokens = Math.ceil("Answer: 4".length / 4) + 5 // 3 + 5
    expect(body.usage.prompt_tokens).toBe(promptTokens)
    expect(body.usage.completion_tokens).toBe(completionTokens)
    expect(body.usage.total_tokens).toBe(promptTokens + completionTokens)
    expect(body.usage.completion_tokens_details.reasoning_tokens).toBe(5)
    const cost = promptTokens * 0.001 + completionTokens * 0.002
    expect(body.usage.cost).toBeCloseTo(cost, 12)
    expect(s.stats().totalCostUsd).toBeCloseTo(cost, 12)
  })

  it("leaves usage.cost out for a model that does not report cost, tokens still in", async () => {
    const s = await sim({ questions: [q], models: [{ ...priced, reportsCost: false }] })
    const r = await chat(s, { model: "test/priced", messages: [{ role: "user", content: q.question }] })
    expect(r.status).toBe(200)
    expect(r.json.usage.prompt_tokens).toBeGreaterThan(0)
    expect(r.json.usage.completion_tokens).toBeGreaterThan(0)
    expect("cost" in r.json.usage).toBe(false)
  })

  it("gives every completion a unique id", async () => {
    const s = await sim({ questions: [q] })
    const ids = await Promise.all(
      Array.from({ length: 50 }, async () => (await chat(s, { model: "sim/perfect", messages: [{ role: "user", content: "hi" }] })).json.id)
    )
    expect(new Set(ids).size).toBe(50)
  })

  it("truncates at max_tokens and reports finish_reason length", async () => {
    const s = await sim({ questions: [q], models: [priced] })
    const full = await ask(s, `${q.question} Think step by step.`, {}, "test/priced")
    const r = await chat(s, { model: "test/priced", max_tokens: 10, messages: [{ role: "user", content: `${q.question} Think step by step.` }] })
    const choice = r.json.choices[0]
    expect(choice.finish_reason).toBe("length")
    expect(r.json.usage.completion_tokens).toBeLessThanOrEqual(10)
    expect(choice.message.content.length).toBeLessThan(full.length)
    expect(full.startsWith(choice.message.content)).toBe(true)
    expect(choice.message.content.length).toBe((10 - 5) * 4)

    const roomy = await chat(s, { model: "test/priced", max_tokens: 10_000, messages: [{ role: "user", content: q.question }] })
    expect(roomy.json.choices[0].finish_reason).toBe("stop")
  })

  it("answers 401 in OpenRouter's error shape without a key or with a wrong one", async () => {
    const s = await sim({ questions: [q] })
    const body = { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }
    const none = await chat(s, body, null)
    expect(none.status).toBe(401)
    expect(none.json.error.code).toBe(401)
    expect(typeof none.json.error.message).toBe("string")
    const wrong = await chat(s, body, "sk-wrong")
    expect(wrong.status).toBe(401)
    expect(s.stats().requests.unauthorized).toBe(2)
    expect(s.stats().requests.chat).toBe(0)
  })

  it("accepts only the configured keys", async () => {
    const s = await sim({ keys: ["k1", "k2"] })
    const body = { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }
    expect((await chat(s, body, "k2")).status).toBe(200)
    expect((await chat(s, body)).status).toBe(401)
  })

  it("rejects an unknown model, streaming, bad JSON and missing messages with 400", async () => {
    const s = await sim()
    const unknown = await chat(s, { model: "nope/model", messages: [{ role: "user", content: "hi" }] })
    expect(unknown.status).toBe(400)
    expect(unknown.json).toEqual({ error: { code: 400, message: "nope/model is not a valid model ID" } })
    const stream = await chat(s, { model: "openai/gpt-4o-mini", stream: true, messages: [{ role: "user", content: "hi" }] })
    expect(stream.status).toBe(400)
    expect(stream.json.error.message).toMatch(/stream/i)
    const bad = await chat(s, '{"model": "openai/gpt-4o-mini", "messages": [')
    expect(bad.status).toBe(400)
    expect(bad.json.error.code).toBe(400)
    const noMessages = await chat(s, { model: "openai/gpt-4o-mini" })
    expect(noMessages.status).toBe(400)
  })

  it("answers 413 for a body over 10 MB and 404 for unknown routes", async () => {
    const s = await sim()
    const big = await chat(s, { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "x".repeat(11 * 1024 * 1024) }] })
    expect(big.status).toBe(413)
    expect(big.json.error.code).toBe(413)
    const missing = await get(s, "/embeddings")
    expect(missing.status).toBe(404)
    expect(missing.json.error.code).toBe(404)
    // The connection survives both.
    expect((await chat(s, { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] })).status).toBe(200)
  })

  it("answers 402 once the total cost exceeds the credit limit", async () => {
    const s = await sim({ questions: [q], models: [priced], creditLimitUsd: 0.01 })
    const body = { model: "test/priced", messages: [{ role: "user", content: q.question }] }
    expect((await chat(s, body)).status).toBe(200) // costs ~0.03: over the limit afterwards
    const refused = await chat(s, body)
    expect(refused.status).toBe(402)
    expect(refused.json.error.code).toBe(402)
    expect(refused.json.error.message).toMatch(/Insufficient credits/)
    const key = await get(s, "/key")
    expect(key.json.data.limit).toBe(0.01)
    expect(key.json.data.limit_remaining).toBe(0)
    s.configure({ creditLimitUsd: undefined })
    expect((await chat(s, body)).status).toBe(200)
  })
})

describe("other endpoints", () => {
  it("lists models in OpenRouter's shape with prices as strings, without auth", async () => {
    const s = await sim()
    const r = await get(s, "/models", null)
    expect(r.status).toBe(200)
    const ids = r.json.data.map((m: any) => m.id)
    expect(ids).toEqual(
      expect.arrayContaining(["openai/gpt-4o-mini", "anthropic/claude-3.5-haiku", "meta-llama/llama-3.1-8b-instruct", "deepseek/deepseek-r1", "sim/perfect"])
    )
    const mini = r.json.data.find((m: any) => m.id === "openai/gpt-4o-mini")
    expect(mini.name).toBe("OpenAI: GPT-4o-mini")
    expect(mini.context_length).toBe(128_000)
    expect(mini.pricing.prompt).toBe("0.00000015")
    expect(mini.pricing.completion).toBe("0.0000006")
    expect(mini.supported_parameters).toContain("response_format")
    expect(mini.architecture.input_modalities).toEqual(["text"])
    expect(mini.top_provider.context_length).toBe(128_000)
    for (const m of r.json.data) {
      expect(typeof m.pricing.prompt).toBe("string")
      expect(m.pricing.prompt).not.toMatch(/e/)
    }
    expect(s.stats().requests.models).toBe(1)
  })

  it("reports the key with usage, limit and rate limit, and requires auth", async () => {
    const s = await sim({ questions: [q], models: [priced], creditLimitUsd: 5 })
    await chat(s, { model: "test/priced", messages: [{ role: "user", content: q.question }] })
    const r = await get(s, "/key")
    expect(r.status).toBe(200)
    const cost = s.stats().totalCostUsd
    expect(r.json.data).toMatchObject({ label: "sim key", limit: 5, is_free_tier: false, rate_limit: { requests: -1, interval: "10s" } })
    expect(r.json.data.usage).toBeCloseTo(cost, 12)
    expect(r.json.data.limit_remaining).toBeCloseTo(5 - cost, 12)
    expect((await get(s, "/key", null)).status).toBe(401)
    const unlimited = await sim()
    expect((await get(unlimited, "/key")).json.data.limit).toBeNull()
  })

  it("looks up a generation by id, 404 for an unknown one", async () => {
    const s = await sim({ questions: [q], models: [priced], latencyMs: 30 })
    const done = await chat(s, { model: "test/priced", messages: [{ role: "user", content: q.question }] })
    const r = await get(s, `/generation?id=${encodeURIComponent(done.json.id)}`)
    expect(r.status).toBe(200)
    expect(r.json.data).toMatchObject({
      id: done.json.id,
      model: "test/priced",
      tokens_prompt: done.json.usage.prompt_tokens,
      tokens_completion: done.json.usage.completion_tokens,
      native_tokens_reasoning: 5,
      provider_name: "SimProvider"
    })
    expect(r.json.data.total_cost).toBeCloseTo(done.json.usage.cost, 12)
    expect(Number.isNaN(Date.parse(r.json.data.created_at))).toBe(false)
    expect(r.json.data.latency).toBeGreaterThanOrEqual(25)
    const unknown = await get(s, "/generation?id=gen-nope")
    expect(unknown.status).toBe(404)
    expect(unknown.json.error.code).toBe(404)
    expect((await get(s, `/generation?id=${done.json.id}`, null)).status).toBe(401)
  })
})

describe("control API over HTTP", () => {
  it("reads stats, applies a config patch and resets", async () => {
    const s = await sim({ questions: [q], accuracy: 1 })
    expect(await ask(s, q.question)).toBe("Answer: 4")
    const stats = (await (await fetch(`${root(s)}/__sim/stats`)).json()) as any
    expect(stats.requests.chat).toBe(1)
    expect(stats.byModel["openai/gpt-4o-mini"]).toBe(1)

    const patched = await fetch(`${root(s)}/__sim/config`, { method: "POST", body: JSON.stringify({ accuracy: 0 }) })
    expect(patched.status).toBe(200)
    expect(await ask(s, q.question)).not.toBe("Answer: 4")

    const bad = await fetch(`${root(s)}/__sim/config`, { method: "POST", body: JSON.stringify({ accuracy: 3 }) })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as any).error.message).toMatch(/accuracy/)
    const unknownField = await fetch(`${root(s)}/__sim/config`, { method: "POST", body: JSON.stringify({ nope: 1 }) })
    expect(unknownField.status).toBe(400)

    const reset = await fetch(`${root(s)}/__sim/reset`, { method: "POST" })
    expect(reset.status).toBe(200)
    expect(s.stats()).toEqual({
      requests: { chat: 0, models: 0, key: 0, generation: 0, unauthorized: 0 },
      faultsInjected: 0,
      unknownQuestions: 0,
      totalCostUsd: 0,
      maxConcurrentChat: 0,
      chatWindow: { first: null, last: null },
      byModel: {},
      models: {}
    })
  })

  it("replaces the answer key through configure", async () => {
    const s = await sim({ questions: [q], accuracy: 1 })
    s.configure({ questions: [{ question: "What colour is the sky?", answer: "blue" }] })
    expect(await ask(s, "What colour is the sky?")).toBe("Answer: blue")
    expect(await ask(s, q.question)).toBe("Answer: I am not sure.")
  })
})

describe("per-model faults and stats", () => {
  it("a fault rule with a model fires only for that model's requests, and each model's requests are counted", async () => {
    const s = await sim({ questions: [q], accuracy: 1, faults: [{ fault: { type: "status", status: 429 }, model: "anthropic/claude-3.5-haiku" }] })
    const chat = (model: string) =>
      fetch(`${s.url}/chat/completions`, {
        method: "POST",
        headers: { authorization: "Bearer sk-sim-local", "content-type": "application/json" },
        body: JSON.stringify({ model, messages: [{ role: "user", content: q.question }] })
      })
    expect((await chat("openai/gpt-4o-mini")).status).toBe(200)
    expect((await chat("anthropic/claude-3.5-haiku")).status).toBe(429)
    expect((await chat("anthropic/claude-3.5-haiku")).status).toBe(429)
    const stats = s.stats()
    expect(stats.models["openai/gpt-4o-mini"]).toMatchObject({ requests: 1, faults: 0, maxConcurrent: 1 })
    expect(stats.models["anthropic/claude-3.5-haiku"]).toMatchObject({ requests: 2, faults: 2 })
    expect(stats.faultsInjected).toBe(2)
  })
})
