/**
 * Stats and concurrency: request counters, in-flight tracking under parallel load with latency,
 * and hundreds of simultaneous connections.
 */
import { describe, expect, it } from "vitest"

import { chat, get, simulators } from "./helpers.js"

const sim = simulators()

const q = { question: "What is the chemical symbol of gold?", answer: "Au" }
const body = (model = "openai/gpt-4o-mini") => ({ model, messages: [{ role: "user", content: q.question }] })

describe("stats", () => {
  it("counts requests per endpoint, per model, and the peak of concurrent chats", async () => {
    const s = await sim({ questions: [q], latencyMs: 150 })
    const replies = await Promise.all([
      ...Array.from({ length: 12 }, () => chat(s, body())),
      ...Array.from({ length: 8 }, () => chat(s, body("sim/perfect")))
    ])
    expect(replies.every((r) => r.status === 200)).toBe(true)
    await get(s, "/models")
    await get(s, "/key")
    await get(s, `/generation?id=${replies[0]!.json.id}`)
    await get(s, "/key", "wrong")
    const stats = s.stats()
    expect(stats.requests).toEqual({ chat: 20, models: 1, key: 1, generation: 1, unauthorized: 1 })
    expect(stats.maxConcurrentChat).toBe(20)
    expect(stats.byModel).toEqual({ "openai/gpt-4o-mini": 12, "sim/perfect": 8 })
    expect(stats.faultsInjected).toBe(0)
    const sum = replies.reduce((acc, r) => acc + r.json.usage.cost, 0)
    expect(stats.totalCostUsd).toBeCloseTo(sum, 12)
  })

  it("times the first chat request and the end of the last reply, in this process's clock, until a reset", async () => {
    const s = await sim({ questions: [q], latencyMs: 60 })
    expect(s.stats().chatWindow).toEqual({ first: null, last: null })
    const unix = () => performance.timeOrigin + performance.now()
    const before = unix()
    await chat(s, body())
    await chat(s, body())
    const after = unix()
    const { first, last } = s.stats().chatWindow
    expect(first).toBeGreaterThanOrEqual(before)
    // Two replies of 60 ms each, one after the other.
    expect(last! - first!).toBeGreaterThanOrEqual(110)
    expect(last).toBeLessThanOrEqual(after)
    await get(s, "/models")
    expect(s.stats().chatWindow).toEqual({ first, last })
    s.reset()
    expect(s.stats().chatWindow).toEqual({ first: null, last: null })
  })

  it("sequential requests never overlap", async () => {
    const s = await sim({ questions: [q], latencyMs: 5 })
    for (let i = 0; i < 5; i++) await chat(s, body())
    expect(s.stats().maxConcurrentChat).toBe(1)
  })

  it("applies latency plus jitter before replying", async () => {
    const s = await sim({ questions: [q], latencyMs: 100, jitterMs: 50 })
    const t = Date.now()
    await chat(s, body())
    const took = Date.now() - t
    expect(took).toBeGreaterThanOrEqual(95)
    expect(took).toBeLessThan(5000)
  })

  it("serves 300 simultaneous connections", async () => {
    const s = await sim({ questions: [q], latencyMs: 3000, accuracy: 1 })
    const replies = await Promise.all(Array.from({ length: 300 }, () => chat(s, body())))
    expect(replies.every((r) => r.status === 200 && r.json.choices[0].message.content === "Answer: Au")).toBe(true)
    expect(s.stats().maxConcurrentChat).toBeGreaterThanOrEqual(256)
  })
})
