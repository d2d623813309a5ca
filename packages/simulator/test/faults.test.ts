/**
 * Fault injection: every fault kind, Retry-After, `times`, `match`, `rate`, faults on the other
 * endpoints, and hung "timeout" requests released by close().
 */
import { describe, expect, it } from "vitest"
import { type FaultRule, start } from "../src/index.js"
import { chat, get, simulators } from "./helpers.js"

const sim = simulators()

const q = { question: "What is the boiling point of water in Celsius?", answer: "100" }
const body = (content = q.question) => ({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content }] })
const withFaults = (...faults: Array<FaultRule>) => sim({ questions: [q], accuracy: 1, faults })

describe("status faults", () => {
  it.each([400, 401, 402, 403, 500, 502, 503])("%i returns OpenRouter's error body", async (status) => {
    const s = await withFaults({ fault: { type: "status", status } })
    const r = await chat(s, body())
    expect(r.status).toBe(status)
    expect(r.json.error.code).toBe(status)
    expect(r.json.error.message.length).toBeGreaterThan(0)
    expect(s.stats().faultsInjected).toBe(1)
  })

  it("429 carries Retry-After and a custom message", async () => {
    const s = await withFaults({ fault: { type: "status", status: 429, retryAfterSeconds: 3, message: "slow down" } })
    const r = await chat(s, body())
    expect(r.status).toBe(429)
    expect(r.headers.get("retry-after")).toBe("3")
    expect(r.json).toEqual({ error: { code: 429, message: "slow down" } })
  })

  it("429 without retryAfterSeconds has no Retry-After", async () => {
    const s = await withFaults({ fault: { type: "status", status: 429 } })
    const r = await chat(s, body())
    expect(r.status).toBe(429)
    expect(r.headers.get("retry-after")).toBeNull()
  })
})

describe("rule selection", () => {
  it("`times` stops a rule after N hits", async () => {
    const s = await withFaults({ fault: { type: "status", status: 503 }, times: 2 })
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await chat(s, body())).status)
    expect(statuses).toEqual([503, 503, 200, 200])
    expect(s.stats().faultsInjected).toBe(2)
  })

  it("`match` only hits requests whose last user message contains the text", async () => {
    const s = await withFaults({ fault: { type: "status", status: 500 }, match: "boiling" })
    expect((await chat(s, body("Something unrelated"))).status).toBe(200)
    expect((await chat(s, body())).status).toBe(500)
    // Only the last user message counts.
    const earlier = await chat(s, {
      model: "openai/gpt-4o-mini",
      messages: [
        { role: "user", content: q.question },
        { role: "user", content: "never mind" }
      ]
    })
    expect(earlier.status).toBe(200)
  })

  it("the first applicable rule in order wins", async () => {
    const s = await withFaults(
      { fault: { type: "status", status: 502 }, times: 1 },
      { fault: { type: "status", status: 503 }, times: 1 }
    )
    expect((await chat(s, body())).status).toBe(502)
    expect((await chat(s, body())).status).toBe(503)
    expect((await chat(s, body())).status).toBe(200)
  })

  it("`rate` faults a deterministic share of requests", async () => {
    const run = async () => {
      const s = await withFaults({ fault: { type: "status", status: 500 }, rate: 0.3 })
      const out = []
      for (let i = 0; i < 200; i++) out.push((await chat(s, body())).status)
      return out
    }
    const a = await run()
    const faulted = a.filter((st) => st === 500).length
    expect(faulted).toBeGreaterThan(30)
    expect(faulted).toBeLessThan(90)
    expect(await run()).toEqual(a)
  })

  it("rules only apply to their endpoint; configure replaces them", async () => {
    const s = await withFaults({ fault: { type: "status", status: 500 }, endpoint: "models" })
    expect((await chat(s, body())).status).toBe(200)
    expect((await get(s, "/models")).status).toBe(500)
    s.configure({ faults: [] })
    expect((await get(s, "/models")).status).toBe(200)
  })
})

describe("200-with-a-problem faults", () => {
  it("malformed: 200 with truncated JSON", async () => {
    const s = await withFaults({ fault: { type: "malformed" } })
    const r = await chat(s, body())
    expect(r.status).toBe(200)
    expect(r.text.length).toBeGreaterThan(0)
    expect(() => JSON.parse(r.text)).toThrow()
  })

  it("empty: 200 with choices []", async () => {
    const s = await withFaults({ fault: { type: "empty" } })
    const r = await chat(s, body())
    expect(r.status).toBe(200)
    expect(r.json.choices).toEqual([])
    expect(r.json.object).toBe("chat.completion")
  })

  it("content_filter: empty content, finish_reason content_filter", async () => {
    const s = await withFaults({ fault: { type: "content_filter" } })
    const r = await chat(s, body())
    expect(r.status).toBe(200)
    expect(r.json.choices[0].message.content).toBe("")
    expect(r.json.choices[0].finish_reason).toBe("content_filter")
  })

  it("refusal: an apology with finish_reason stop", async () => {
    const s = await withFaults({ fault: { type: "refusal" } })
    const r = await chat(s, body())
    expect(r.status).toBe(200)
    expect(r.json.choices[0].message.content).toBe("I'm sorry, but I can't help with that.")
    expect(r.json.choices[0].finish_reason).toBe("stop")
  })
})

describe("timeout fault", () => {
  it("never answers; the client's abort ends the request", async () => {
    const s = await withFaults({ fault: { type: "timeout" }, times: 1 })
    const started = Date.now()
    await expect(
      fetch(`${s.url}/chat/completions`, {
        method: "POST",
        headers: { authorization: "Bearer sk-sim-local", "content-type": "application/json" },
        body: JSON.stringify(body()),
        signal: AbortSignal.timeout(300)
      })
    ).rejects.toThrow()
    expect(Date.now() - started).toBeGreaterThanOrEqual(250)
    expect((await chat(s, body())).status).toBe(200)
  })

  it("is released by close()", async () => {
    const s = await start({ questions: [q], faults: [{ fault: { type: "timeout" } }] })
    const pending = fetch(`${s.url}/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer sk-sim-local", "content-type": "application/json" },
      body: JSON.stringify(body())
    })
    const outcome = pending.then(
      () => "answered",
      () => "failed"
    )
    while (s.stats().faultsInjected === 0) await new Promise((r) => setTimeout(r, 5))
    const race = await Promise.race([outcome, new Promise((r) => setTimeout(() => r("still hanging"), 200))])
    expect(race).toBe("still hanging")
    const closing = Date.now()
    await s.close()
    expect(Date.now() - closing).toBeLessThan(2000)
    expect(await outcome).toBe("failed")
  })
})

describe("faults on other endpoints", () => {
  it("key, generation and models take status, malformed and empty faults", async () => {
    const s = await withFaults(
      { fault: { type: "status", status: 503, retryAfterSeconds: 1 }, endpoint: "key", times: 1 },
      { fault: { type: "malformed" }, endpoint: "models", times: 1 },
      { fault: { type: "empty" }, endpoint: "models", times: 1 },
      { fault: { type: "status", status: 500 }, endpoint: "generation", times: 1 }
    )
    const key = await get(s, "/key")
    expect(key.status).toBe(503)
    expect(key.headers.get("retry-after")).toBe("1")
    expect((await get(s, "/key")).status).toBe(200)
    const malformed = await get(s, "/models")
    expect(() => JSON.parse(malformed.text)).toThrow()
    expect((await get(s, "/models")).json).toEqual({ data: [] })
    expect((await get(s, "/models")).json.data.length).toBeGreaterThan(0)
    expect((await get(s, "/generation?id=gen-x")).status).toBe(500)
    expect((await get(s, "/generation?id=gen-x")).status).toBe(404)
    expect(s.stats().faultsInjected).toBe(4)
  })

  it("rejects an invalid fault rule", async () => {
    await expect(start({ faults: [{ fault: { type: "explode" } } as unknown as FaultRule] })).rejects.toThrow(/type/)
  })
})
