/**
 * Test helpers: a scripted `fetch` for the SDK (real `Response` objects, so the SDK builds its
 * own errors), a loopback HTTP server that records requests, and a TestClock driver.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { type Duration, Effect, Fiber, Option, TestClock } from "effect"

/** One scripted HTTP reply. */
export interface Reply {
  readonly status?: number
  /** JSON body; ignored when `text` is given. */
  readonly body?: unknown
  readonly text?: string
  readonly headers?: Record<string, string>
  /** Never answer; the returned promise rejects when the request is aborted. */
  readonly hang?: boolean
}

/** A request the fake fetch received. */
export interface Recorded {
  readonly url: string
  readonly method: string
  readonly headers: Headers
  readonly body: unknown
  readonly signal: AbortSignal | undefined
}

/** A fetch that answers from a script (the last reply repeats) and records every request. */
export const scriptedFetch = (script: ReadonlyArray<Reply | ((request: Recorded) => Reply)>) => {
  const calls: Array<Recorded> = []
  const fetch = (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request: Recorded = {
      url: String(input),
      method: init?.method ?? "GET",
      headers: new Headers(init?.headers as ConstructorParameters<typeof Headers>[0]),
      body: typeof init?.body === "string" ? JSON.parse(init.body) : undefined,
      signal: init?.signal ?? undefined
    }
    calls.push(request)
    const entry = script[Math.min(calls.length - 1, script.length - 1)]!
    const reply = typeof entry === "function" ? entry(request) : entry
    if (reply.hang === true) {
      return new Promise<Response>((_, reject) => {
        const abort = () => reject(Object.assign(new Error("This operation was aborted"), { name: "AbortError" }))
        if (request.signal?.aborted) abort()
        request.signal?.addEventListener("abort", abort, { once: true })
      })
    }
    const text = reply.text ?? JSON.stringify(reply.body ?? null)
    return new Response(text, {
      status: reply.status ?? 200,
      headers: { "content-type": "application/json", ...reply.headers }
    })
  }) as typeof globalThis.fetch
  return { fetch, calls }
}

/** An OpenRouter-style chat completion body. */
export const completion = (content: string, extra: Record<string, unknown> = {}) => ({
  id: "gen-test-1",
  provider: "TestProvider",
  model: "openai/gpt-4o-mini",
  object: "chat.completion",
  choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content } }],
  usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, cost: 0.0000045 },
  ...extra
})

/** OpenRouter's error body. */
export const errorBody = (status: number, message: string) => ({ error: { code: status, message } })

/** Lets real time pass (promise callbacks, sockets) while the TestClock stands still. */
export const tick = (ms = 5) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

/** Waits (in real time) until the fiber is suspended on a TestClock sleep, or has finished. */
export const untilSleeping = <A, E>(fiber: Fiber.RuntimeFiber<A, E>) =>
  Effect.gen(function*() {
    for (let i = 0; i < 1000; i++) {
      if (Option.isSome(yield* Fiber.poll(fiber))) return
      if ((yield* TestClock.sleeps()).length > 0) return
      yield* tick(2)
    }
    throw new Error("the fiber neither slept nor finished")
  })

/** Advances the TestClock step by step until the fiber finishes, and returns its exit. */
export const drive = <A, E>(fiber: Fiber.RuntimeFiber<A, E>, step: Duration.DurationInput = "1 minute") =>
  Effect.gen(function*() {
    for (let i = 0; i < 100; i++) {
      yield* untilSleeping(fiber)
      const done = yield* Fiber.poll(fiber)
      if (Option.isSome(done)) return done.value
      yield* TestClock.adjust(step)
    }
    throw new Error("the fiber did not finish")
  })

/** A loopback HTTP server answering from a handler and recording request headers and bodies. */
export const recordingServer = (handler: (request: { path: string; body: unknown }) => { status: number; body: unknown }) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const seen: Array<{ path: string; headers: http.IncomingHttpHeaders; body: unknown }> = []
      const server = http.createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (c: Buffer) => chunks.push(c))
        req.on("end", () => {
          const raw = Buffer.concat(chunks).toString("utf8")
          const body = raw === "" ? undefined : JSON.parse(raw)
          const path = req.url ?? "/"
          seen.push({ path, headers: req.headers, body })
          const reply = handler({ path, body })
          res.writeHead(reply.status, { "content-type": "application/json" })
          res.end(JSON.stringify(reply.body))
        })
      })
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
      const port = (server.address() as AddressInfo).port
      return { server, seen, url: `http://127.0.0.1:${port}/api/v1` }
    }),
    ({ server }) =>
      Effect.promise(() =>
        new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        })
      )
  )
