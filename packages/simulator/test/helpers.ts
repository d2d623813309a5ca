/**
 * Shared test helpers: plain `fetch` calls against a running simulator, the way any OpenAI-style
 * client talks to it.
 */
import { afterEach } from "vitest"
import { type RunningSimulator, type SimulatorOptions, start } from "../src/index.js"

/** The default accepted key. */
export const KEY = "sk-sim-local"

/** A raw HTTP reply. */
export interface Reply {
  status: number
  headers: Headers
  text: string
  json: any
}

const toReply = async (r: Response): Promise<Reply> => {
  const text = await r.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: r.status, headers: r.headers, text, json }
}

/** POSTs a chat completion request body. */
export const chat = async (sim: RunningSimulator, body: unknown, key: string | null = KEY): Promise<Reply> =>
  toReply(
    await fetch(`${sim.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(key === null ? {} : { authorization: `Bearer ${key}` }) },
      body: typeof body === "string" ? body : JSON.stringify(body)
    })
  )

/** GETs a path under the API base URL. */
export const get = async (sim: RunningSimulator, path: string, key: string | null = KEY): Promise<Reply> =>
  toReply(await fetch(`${sim.url}${path}`, { headers: key === null ? {} : { authorization: `Bearer ${key}` } }))

/** Asks one question and returns the reply content (fails the test on a non-200). */
export const ask = async (
  sim: RunningSimulator,
  content: string,
  extra: Record<string, unknown> = {},
  model = "openai/gpt-4o-mini"
): Promise<string> => {
  const r = await chat(sim, { model, messages: [{ role: "user", content }], ...extra })
  if (r.status !== 200) throw new Error(`chat failed: ${r.status} ${r.text}`)
  return r.json.choices[0].message.content as string
}

/** The root of a simulator URL (without /api/v1), for the /__sim control endpoints. */
export const root = (sim: RunningSimulator): string => sim.url.replace(/\/api\/v1$/, "")

/**
 * A starter of simulators for one test file: every simulator it starts is closed after each test.
 * Call it at the top level of the file.
 */
export const simulators = () => {
  const open: Array<RunningSimulator> = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()))
  })
  return async (options: SimulatorOptions = {}): Promise<RunningSimulator> => {
    const s = await start(options)
    open.push(s)
    return s
  }
}
