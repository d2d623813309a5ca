/**
 * The simulator's HTTP server: routing, auth, fault injection, the simulated model and the
 * bookkeeping behind stats, /generation and /key. Every per-request step is O(size of the request)
 * so the server stays cheap next to the client it is benchmarked with.
 */
import { randomBytes } from "node:crypto"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import type {
  FaultKind,
  FaultRule,
  ModelStats,
  RunningSimulator,
  SimModel,
  SimQuestion,
  SimulatorOptions,
  SimulatorStats
} from "../Simulator.js"
import { AnswerKey, type Entry } from "./AnswerKey.js"
import { hashString, mix, unit } from "./Hash.js"
import { readBody, sendError, sendJson, sendRaw, TOO_LARGE, writable } from "./Http.js"
import { modelJson } from "./Models.js"
import { render, type Style, wrongAnswer } from "./Reply.js"
import * as TotReply from "./TotReply.js"
import * as Validate from "./Validate.js"

const MAX_BODY = 10 * 1024 * 1024
const MAX_GENERATIONS = 100_000
const MAX_ASKED = 1_000_000
const UNKNOWN_ANSWER = "I am not sure."
const REFUSAL = "I'm sorry, but I can't help with that."
const PROVIDER = "SimProvider"

/** Unix time in milliseconds from the high-resolution clock, comparable across processes. */
const unixMs = (): number => performance.timeOrigin + performance.now()

type Endpoint = "chat" | "models" | "key" | "generation"

interface RuleState {
  readonly rule: FaultRule
  matched: number
  hits: number
}

interface Generation {
  id: string
  model: string
  total_cost: number
  usage: number
  tokens_prompt: number
  tokens_completion: number
  native_tokens_prompt: number
  native_tokens_completion: number
  native_tokens_reasoning: number
  provider_name: string
  created_at: string
  latency: number
  generation_time: number
  finish_reason: string
  native_finish_reason: string
  streamed: boolean
  cancelled: boolean
  is_byok: boolean
}

interface ModelEntry {
  readonly model: SimModel
  readonly hash: number
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** The text of a message's `content`: a string, or the text parts of a content array. */
const textOf = (content: unknown): string => {
  if (typeof content === "string") return content
  if (!Array.isArray(content)) return ""
  let out = ""
  for (const part of content) {
    if (isObject(part) && typeof part.text === "string") out = out === "" ? part.text : `${out}\n${part.text}`
  }
  return out
}

const lastUserText = (messages: ReadonlyArray<unknown> | undefined): string | undefined => {
  if (messages === undefined) return undefined
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]
    if (isObject(m) && m.role === "user") return textOf(m.content)
  }
  return undefined
}

const STEP_BY_STEP = /step by step/i

const styleOf = (body: Record<string, unknown>, messages: ReadonlyArray<unknown>): Style => {
  const rf = body.response_format
  if (isObject(rf) && (rf.type === "json_object" || rf.type === "json_schema")) return "json"
  for (const m of messages) if (isObject(m) && STEP_BY_STEP.test(textOf(m.content))) return "steps"
  return "plain"
}

const statusMessage = (status: number): string => {
  switch (status) {
    case 400:
      return "Bad request (simulated fault)"
    case 401:
      return "User not found."
    case 402:
      return "Insufficient credits. Add more using https://openrouter.ai/credits"
    case 403:
      return "Your chosen model requires moderation and your input was flagged"
    case 408:
      return "Request timed out"
    case 429:
      return "Rate limit exceeded: too many requests, please slow down"
    case 500:
      return "Internal Server Error"
    case 502:
      return "Provider returned error"
    case 503:
      return "No available model provider that meets your routing requirements"
    default:
      return http.STATUS_CODES[status] ?? `HTTP ${status}`
  }
}

/** A running simulator; `handle()` is the public face handed back by `start`. */
export class Server {
  private readonly server: http.Server
  private readonly keys: ReadonlySet<string>
  private readonly host: string
  private readonly seedHash: number
  private readonly models = new Map<string, ModelEntry>()
  private readonly modelsBody: string
  private readonly fileQuestions: ReadonlyArray<{ question: string; answer: string }>
  private readonly idPrefix = randomBytes(5).toString("hex")
  private idCounter = 0

  private latencyMs: number
  private jitterMs: number
  private accuracy: number
  private creditLimitUsd: number | undefined
  private questions: ReadonlyArray<SimQuestion>
  private answerKey: AnswerKey
  private rules: Array<RuleState>

  private counts = { chat: 0, models: 0, key: 0, generation: 0, unauthorized: 0 }
  private faultsInjected = 0
  private unknownQuestions = 0
  private readonly onUnknownQuestion: ((text: string) => void) | undefined
  private totalCostUsd = 0
  private inFlightChat = 0
  private maxConcurrentChat = 0
  private chatWindow: { first: number | null; last: number | null } = { first: null, last: null }
  private byModel: Record<string, number> = {}
  private perModel: Record<string, ModelStats & { inFlight: number }> = {}
  private asked = new Map<string, number>()
  // Asks of each scripted question per model, to give its replies in turn.
  private scripted = new Map<string, number>()
  private readonly generations = new Map<string, Generation>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private closing: Promise<void> | undefined
  private url = ""
  private port = 0

  constructor(
    options: SimulatorOptions,
    fileQuestions: ReadonlyArray<{ question: string; answer: string }>,
    models: ReadonlyArray<SimModel>
  ) {
    this.host = options.host ?? "127.0.0.1"
    this.keys = new Set(options.keys ?? ["sk-sim-local"])
    this.seedHash = hashString(`seed:${options.seed ?? 1}`)
    this.latencyMs = options.latencyMs ?? 0
    this.jitterMs = options.jitterMs ?? 0
    this.accuracy = options.accuracy ?? 0.7
    this.creditLimitUsd = options.creditLimitUsd
    this.onUnknownQuestion = options.onUnknownQuestion
    this.fileQuestions = fileQuestions
    this.questions = options.questions ?? []
    this.answerKey = AnswerKey.build([...fileQuestions, ...this.questions])
    this.rules = (options.faults ?? []).map((rule) => ({ rule, matched: 0, hits: 0 }))
    for (const model of models) this.models.set(model.id, { model, hash: hashString(model.id) })
    this.modelsBody = JSON.stringify({ data: models.map(modelJson) })

    this.server = http.createServer((req, res) => this.onRequest(req, res))
    // Clients (undici, the openai SDK) pool connections; keep them open well past their idle time.
    this.server.keepAliveTimeout = 65_000
    this.server.headersTimeout = 66_000
  }

  /** Starts listening; resolves once the port is bound. */
  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject)
      this.server.listen({ port, host: this.host, backlog: 1024 }, () => {
        this.server.off("error", reject)
        resolve()
      })
    })
    this.port = (this.server.address() as AddressInfo).port
    const h = this.host === "0.0.0.0" ? "127.0.0.1" : this.host === "::" ? "::1" : this.host
    this.url = `http://${h.includes(":") ? `[${h}]` : h}:${this.port}/api/v1`
  }

  /** The public handle. */
  handle(): RunningSimulator {
    return {
      url: this.url,
      port: this.port,
      stats: () => this.stats(),
      configure: (patch) => this.configure(Validate.patch(patch)),
      reset: () => this.reset(),
      close: () => this.close()
    }
  }

  private stats(): SimulatorStats {
    return {
      requests: { ...this.counts },
      faultsInjected: this.faultsInjected,
      unknownQuestions: this.unknownQuestions,
      totalCostUsd: this.totalCostUsd,
      maxConcurrentChat: this.maxConcurrentChat,
      chatWindow: { ...this.chatWindow },
      byModel: { ...this.byModel },
      models: Object.fromEntries(
        Object.entries(this.perModel).map(([id, m]) => [id, { requests: m.requests, faults: m.faults, maxConcurrent: m.maxConcurrent }])
      )
    }
  }

  private configure(patch: Validate.ConfigPatch): void {
    if (patch.latencyMs !== undefined) this.latencyMs = patch.latencyMs
    if (patch.jitterMs !== undefined) this.jitterMs = patch.jitterMs
    if (patch.accuracy !== undefined) this.accuracy = patch.accuracy
    if ("creditLimitUsd" in patch) this.creditLimitUsd = patch.creditLimitUsd
    if (patch.faults !== undefined) this.rules = patch.faults.map((rule) => ({ rule, matched: 0, hits: 0 }))
    if (patch.questions !== undefined) {
      this.questions = patch.questions
      this.answerKey = AnswerKey.build([...this.fileQuestions, ...this.questions])
      this.asked = new Map()
      this.scripted = new Map()
    }
  }

  private reset(): void {
    this.counts = { chat: 0, models: 0, key: 0, generation: 0, unauthorized: 0 }
    this.faultsInjected = 0
    this.unknownQuestions = 0
    this.totalCostUsd = 0
    this.maxConcurrentChat = this.inFlightChat
    this.chatWindow = { first: null, last: null }
    this.byModel = {}
    // A model with requests still in flight keeps its entry (their ends are counted on it).
    for (const [id, m] of Object.entries(this.perModel)) {
      if (m.inFlight === 0) delete this.perModel[id]
      else {
        m.requests = 0
        m.faults = 0
        m.maxConcurrent = m.inFlight
      }
    }
    this.asked = new Map()
    this.scripted = new Map()
    for (const r of this.rules) {
      r.matched = 0
      r.hits = 0
    }
  }

  private close(): Promise<void> {
    if (this.closing === undefined) {
      this.closing = new Promise<void>((resolve) => {
        for (const t of this.timers) clearTimeout(t)
        this.timers.clear()
        this.server.close(() => resolve())
        // Idle keep-alive sockets and hung "timeout" requests would otherwise keep close() waiting.
        this.server.closeAllConnections()
      })
    }
    return this.closing
  }

  // ---------------------------------------------------------------------------------------------
  // Routing

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? "/"
    const q = url.indexOf("?")
    let path = q < 0 ? url : url.slice(0, q)
    if (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1)
    const query = q < 0 ? "" : url.slice(q + 1)
    const get = req.method === "GET"
    const post = req.method === "POST"
    const run = (p: Promise<void>) =>
      p.catch((e: unknown) => sendError(res, 500, `Simulator error: ${e instanceof Error ? e.message : String(e)}`))

    if (post && path === "/api/v1/chat/completions") return void run(this.chat(req, res))
    if (get && path === "/api/v1/models") return this.listModels(res)
    if (get && path === "/api/v1/generation") return this.generation(req, res, query)
    if (get && (path === "/api/v1/key" || path === "/api/v1/auth/key")) return this.keyInfo(req, res)
    if (get && path === "/__sim/stats") return sendJson(res, 200, this.stats())
    if (post && path === "/__sim/config") return void run(this.remoteConfigure(req, res))
    if (post && path === "/__sim/reset") {
      this.reset()
      return sendJson(res, 200, { ok: true })
    }
    sendError(res, 404, `Not found: ${req.method ?? "?"} ${path}`)
  }

  /** Checks the bearer key; on failure answers 401 and counts it. */
  private authorize(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const header = req.headers.authorization
    const match = header === undefined ? null : /^\s*bearer\s+(\S+)\s*$/i.exec(header)
    if (match !== null && this.keys.has(match[1]!)) return true
    this.counts.unauthorized++
    sendError(res, 401, match === null ? "No auth credentials found" : "User not found.")
    return false
  }

  // ---------------------------------------------------------------------------------------------
  // Faults

  /** The first applicable fault rule for this request, counted as fired; undefined for none. */
  private pickFault(endpoint: Endpoint, lastUser: string | undefined, model?: string): FaultKind | undefined {
    for (let i = 0; i < this.rules.length; i++) {
      const state = this.rules[i]!
      const { rule } = state
      if ((rule.endpoint ?? "chat") !== endpoint) continue
      if (rule.times !== undefined && state.hits >= rule.times) continue
      if (rule.match !== undefined && (lastUser === undefined || !lastUser.includes(rule.match))) continue
      if (rule.model !== undefined && rule.model !== model) continue
      if (endpoint !== "chat" && (rule.fault.type === "content_filter" || rule.fault.type === "refusal")) continue
      const n = state.matched++
      if (rule.rate !== undefined && rule.rate < 1 && unit(this.seedHash, 0xfa017 + i, n) >= rule.rate) continue
      state.hits++
      this.faultsInjected++
      return rule.fault
    }
    return undefined
  }

  /** Answers a fault that every endpoint shares; false when the kind is endpoint-specific. */
  private commonFault(res: http.ServerResponse, fault: FaultKind, emptyBody: unknown, fullBody: () => string): boolean {
    switch (fault.type) {
      case "status": {
        const headers: Record<string, string> = {}
        if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(Math.ceil(fault.retryAfterSeconds))
        sendError(res, fault.status, fault.message ?? statusMessage(fault.status), headers)
        return true
      }
      case "timeout":
        // Accept and never answer: the client's timeout, its abort, or close() ends it.
        return true
      case "malformed": {
        const full = fullBody()
        sendRaw(res, 200, full.slice(0, Math.max(1, Math.floor(full.length * 0.6))))
        return true
      }
      case "empty":
        sendJson(res, 200, emptyBody)
        return true
      default:
        return false
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Endpoints

  private listModels(res: http.ServerResponse): void {
    this.counts.models++
    const fault = this.pickFault("models", undefined)
    if (fault !== undefined && this.commonFault(res, fault, { data: [] }, () => this.modelsBody)) return
    sendRaw(res, 200, this.modelsBody)
  }

  private keyInfo(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (!this.authorize(req, res)) return
    this.counts.key++
    const limit = this.creditLimitUsd ?? null
    const body = {
      data: {
        label: "sim key",
        usage: this.totalCostUsd,
        limit,
        limit_remaining: limit === null ? null : Math.max(0, limit - this.totalCostUsd),
        is_free_tier: false,
        is_provisioning_key: false,
        rate_limit: { requests: -1, interval: "10s" }
      }
    }
    const fault = this.pickFault("key", undefined)
    if (fault !== undefined && this.commonFault(res, fault, { data: null }, () => JSON.stringify(body))) return
    sendJson(res, 200, body)
  }

  private generation(req: http.IncomingMessage, res: http.ServerResponse, query: string): void {
    if (!this.authorize(req, res)) return
    this.counts.generation++
    const id = new URLSearchParams(query).get("id")
    const record = id === null ? undefined : this.generations.get(id)
    const fault = this.pickFault("generation", undefined)
    if (fault !== undefined && this.commonFault(res, fault, { data: null }, () => JSON.stringify({ data: record ?? null }))) {
      return
    }
    if (id === null || id === "") return sendError(res, 400, "Missing required query parameter: id")
    if (record === undefined) return sendError(res, 404, `Generation ${id} not found`)
    sendJson(res, 200, { data: record })
  }

  private async remoteConfigure(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req, MAX_BODY)
    if (raw === null) return
    if (raw === TOO_LARGE) return sendError(res, 413, "Request body too large (limit 10 MB)")
    let patch: Validate.ConfigPatch
    try {
      patch = Validate.patch(JSON.parse(raw.toString("utf8")))
    } catch (e) {
      return sendError(res, 400, e instanceof SyntaxError ? `Invalid JSON: ${e.message}` : (e as Error).message)
    }
    this.configure(patch)
    sendJson(res, 200, { ok: true })
  }

  private async chat(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = Date.now()
    if (!this.authorize(req, res)) return
    this.counts.chat++
    this.inFlightChat++
    if (this.inFlightChat > this.maxConcurrentChat) this.maxConcurrentChat = this.inFlightChat
    if (this.chatWindow.first === null) this.chatWindow.first = unixMs()
    res.once("close", () => {
      this.inFlightChat--
      this.chatWindow.last = unixMs()
    })

    const raw = await readBody(req, MAX_BODY)
    if (raw === null) return
    if (raw === TOO_LARGE) return sendError(res, 413, "Request body too large (limit 10 MB)")
    let body: unknown
    try {
      body = JSON.parse(raw.toString("utf8"))
    } catch (e) {
      return sendError(res, 400, `Invalid JSON in request body: ${(e as Error).message}`)
    }
    if (!isObject(body)) return sendError(res, 400, "The request body must be a JSON object")

    const messages = Array.isArray(body.messages) ? (body.messages as ReadonlyArray<unknown>) : undefined
    const lastUser = lastUserText(messages)
    const modelId = typeof body.model === "string" ? body.model : ""
    const entry = this.models.get(modelId)
    let counters = this.perModel[modelId]
    if (counters === undefined) this.perModel[modelId] = counters = { requests: 0, faults: 0, maxConcurrent: 0, inFlight: 0 }
    const mine = counters
    mine.requests++
    mine.inFlight++
    if (mine.inFlight > mine.maxConcurrent) mine.maxConcurrent = mine.inFlight
    res.once("close", () => void mine.inFlight--)

    const fault = this.pickFault("chat", lastUser, modelId)
    if (fault !== undefined) {
      mine.faults++
      const shell = () => ({
        id: this.nextId(),
        provider: PROVIDER,
        model: modelId,
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000)
      })
      if (fault.type === "status" || fault.type === "timeout") {
        this.commonFault(res, fault, null, () => "")
        return
      }
      if (fault.type === "content_filter" || fault.type === "refusal") {
        const content = fault.type === "refusal" ? REFUSAL : ""
        const finish = fault.type === "refusal" ? "stop" : "content_filter"
        const reply = this.completion(modelId, entry?.model, body, messages ?? [], content, finish)
        return this.later(res, started, reply.generation, () => sendJson(res, 200, reply.body))
      }
      const empty = {
        ...shell(),
        choices: [],
        usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost: 0 }
      }
      const full = () =>
        JSON.stringify({
          ...shell(),
          choices: [
            { index: 0, finish_reason: "stop", message: { role: "assistant", content: "Answer: this reply was cut short" } }
          ]
        })
      return this.later(res, started, undefined, () => void this.commonFault(res, fault, empty, full))
    }

    if (body.stream === true) {
      return sendError(res, 400, "Streaming (stream: true) is not supported by the simulator; send stream: false")
    }
    if (modelId === "") return sendError(res, 400, "No model specified: the request needs a `model` field")
    if (entry === undefined) return sendError(res, 400, `${modelId} is not a valid model ID`)
    if (messages === undefined || messages.length === 0) {
      return sendError(res, 400, "Input required: `messages` must be a non-empty array")
    }
    if (this.creditLimitUsd !== undefined && this.totalCostUsd > this.creditLimitUsd) {
      return sendError(
        res,
        402,
        `Insufficient credits. This key has used $${this.totalCostUsd.toFixed(6)} of its $${this.creditLimitUsd} limit. Add more credits or raise the limit.`
      )
    }

    const style = styleOf(body, messages)
    const tot = style === "json" ? undefined : TotReply.totKind(lastUser ?? "")
    const draw = this.draw(modelId, entry, body, lastUser ?? "")
    const content = tot === undefined ? render(style, draw.drawn) : TotReply.reply(tot, lastUser ?? "", draw)
    const reply = this.completion(modelId, entry.model, body, messages, content, "stop")
    this.later(res, started, reply.generation, () => sendJson(res, 200, reply.body))
  }

  /**
   * The simulated model's answer: right or wrong by a deterministic draw against its accuracy, with
   * the key's answer beside it (undefined for a question outside the key).
   */
  private draw(modelId: string, entry: ModelEntry, body: Record<string, unknown>, lastUser: string): TotReply.Draw {
    const known = this.answerKey.find(lastUser)
    if (known === undefined) {
      // Not silently: a CSV that was not given to the simulator would get "I am not sure." for
      // every question, which looks like a model that never answers.
      this.unknownQuestions++
      this.onUnknownQuestion?.(lastUser)
      return { correct: undefined, drawn: UNKNOWN_ANSWER }
    }
    return { correct: known.answer, drawn: this.answer(modelId, entry, body, known) }
  }

  /** Right or wrong for a known question, by a deterministic draw against the model's accuracy. */
  private answer(modelId: string, entry: ModelEntry, body: Record<string, unknown>, known: Entry): string {
    if (known.replies !== undefined) {
      const k = `${modelId}\u0000${known.index}`
      const n = this.scripted.get(k) ?? 0
      this.scripted.set(k, n + 1)
      return known.replies[n % known.replies.length]!
    }
    let salt = 0
    if (typeof body.temperature === "number" && body.temperature > 0) {
      // Repeated sampling at temperature > 0 may differ: the n-th ask of a question is its own draw.
      const k = `${modelId}\u0000${known.index}`
      salt = this.asked.get(k) ?? 0
      if (this.asked.size >= MAX_ASKED) this.asked.clear()
      this.asked.set(k, salt + 1)
    }
    const accuracy = entry.model.accuracy ?? this.accuracy
    if (unit(this.seedHash, entry.hash, known.hash, salt) < accuracy) return known.answer
    return wrongAnswer(known.answer, mix(this.seedHash, entry.hash, known.hash, salt, 0x3779))
  }

  /** Builds a completion body with usage and cost, and books it (cost, per-model count, generation). */
  private completion(
    modelId: string,
    model: SimModel | undefined,
    body: Record<string, unknown>,
    messages: ReadonlyArray<unknown>,
    text: string,
    finishReason: string
  ): { body: unknown; generation: Generation } {
    let promptChars = 0
    for (const m of messages) if (isObject(m)) promptChars += textOf(m.content).length
    const promptTokens = Math.max(1, Math.ceil(promptChars / 4))
    let reasoningTokens = model?.reasoningTokens ?? 0
    let content = text
    let finish = finishReason
    let completionTokens = Math.ceil(content.length / 4) + reasoningTokens
    const max = typeof body.max_tokens === "number" ? body.max_tokens : body.max_completion_tokens
    if (typeof max === "number" && max >= 0 && completionTokens > max) {
      const budget = Math.max(0, Math.floor(max) - reasoningTokens)
      content = content.slice(0, budget * 4)
      reasoningTokens = Math.min(reasoningTokens, Math.floor(max))
      completionTokens = Math.ceil(content.length / 4) + reasoningTokens
      finish = "length"
    }
    const cost = promptTokens * (model?.promptPrice ?? 0) + completionTokens * (model?.completionPrice ?? 0)
    const now = Date.now()
    const id = this.nextId()
    this.totalCostUsd += cost
    this.byModel[modelId] = (this.byModel[modelId] ?? 0) + 1
    const generation: Generation = {
      id,
      model: modelId,
      total_cost: cost,
      usage: cost,
      tokens_prompt: promptTokens,
      tokens_completion: completionTokens,
      native_tokens_prompt: promptTokens,
      native_tokens_completion: completionTokens,
      native_tokens_reasoning: reasoningTokens,
      provider_name: PROVIDER,
      created_at: new Date(now).toISOString(),
      latency: 0,
      generation_time: 0,
      finish_reason: finish,
      native_finish_reason: finish,
      streamed: false,
      cancelled: false,
      is_byok: false
    }
    this.generations.set(id, generation)
    if (this.generations.size > MAX_GENERATIONS) {
      const oldest = this.generations.keys().next().value
      if (oldest !== undefined) this.generations.delete(oldest)
    }
    return {
      generation,
      body: {
        id,
        provider: PROVIDER,
        model: modelId,
        object: "chat.completion",
        created: Math.floor(now / 1000),
        system_fingerprint: null,
        choices: [
          {
            index: 0,
            logprobs: null,
            finish_reason: finish,
            native_finish_reason: finish,
            message: { role: "assistant", content, refusal: null, reasoning: null }
          }
        ],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens,
          ...(model?.reportsCost === false ? {} : { cost, is_byok: false }),
          prompt_tokens_details: { cached_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: reasoningTokens }
        }
      }
    }
  }

  /** Sends after the configured latency (plus jitter), recording it on the generation. */
  private later(res: http.ServerResponse, started: number, generation: Generation | undefined, send: () => void): void {
    const ms = this.latencyMs + (this.jitterMs > 0 ? Math.random() * this.jitterMs : 0)
    const fire = () => {
      if (generation !== undefined) {
        generation.latency = Date.now() - started
        generation.generation_time = generation.latency
      }
      if (writable(res)) send()
    }
    if (ms <= 0) return fire()
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      fire()
    }, ms)
    this.timers.add(timer)
  }

  private nextId(): string {
    return `gen-${Math.floor(Date.now() / 1000)}-${this.idPrefix}${(this.idCounter++).toString(36)}`
  }
}
