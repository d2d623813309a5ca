/**
 * An OpenRouter stand-in on loopback: a real HTTP server speaking OpenRouter's wire format
 * (OpenAI-compatible chat completions plus /models, /generation, /key and OpenRouter's error
 * bodies) that answers benchmark questions from an answer key with a configurable accuracy,
 * latency and injected faults. End-to-end tests, the benchmark script and the offline demo talk
 * to it instead of https://openrouter.ai/api/v1.
 */
import { BenchmarkCsv } from "@ml-agents/core"
import { Effect, Either } from "effect"
import { readFile } from "node:fs/promises"
import { defaultModels } from "./internal/Models.js"
import { Server } from "./internal/Server.js"
import * as Validate from "./internal/Validate.js"

/** A model the simulator serves. Prices are USD per token. */
export interface SimModel {
  id: string
  name?: string
  contextLength?: number
  /** USD per prompt token. */
  promptPrice?: number
  /** USD per completion token. */
  completionPrice?: number
  supportedParameters?: Array<string>
  /** Share of known questions this model answers correctly; overrides the global accuracy. */
  accuracy?: number
  /** Reasoning tokens reported (and billed) per reply; 0 by default. */
  reasoningTokens?: number
  /**
   * false: replies carry no `usage.cost`, as an OpenAI-compatible server without OpenRouter's
   * usage accounting answers (the cost is still counted toward the credit limit); default true.
   */
  reportsCost?: boolean
}

/** One question of the answer key. */
export interface SimQuestion {
  question: string
  answer: string
  /** Scripted answers, one per ask in turn (see `SimulatorOptions.questions`). */
  replies?: Array<string>
}

/** What an injected fault does to a request. */
export type FaultKind =
  /** An OpenRouter JSON error with this HTTP status (429 with `Retry-After` when retryAfterSeconds is set). */
  | { type: "status"; status: number; retryAfterSeconds?: number; message?: string }
  /** Accept the request and never answer (until the client aborts or the server closes). */
  | { type: "timeout" }
  /** 200 with a body that is not valid JSON (truncated JSON). */
  | { type: "malformed" }
  /** 200 with valid JSON but `choices: []`. */
  | { type: "empty" }
  /** 200, empty content, finish_reason "content_filter". */
  | { type: "content_filter" }
  /** 200, content "I'm sorry, but I can't help with that.", finish_reason "stop". */
  | { type: "refusal" }

/** A fault injection rule; rules are checked in order and the first applicable one fires. */
export interface FaultRule {
  fault: FaultKind
  /** Endpoint the rule applies to; default "chat". */
  endpoint?: "chat" | "models" | "key" | "generation"
  /** Only requests whose last user message contains this substring. */
  match?: string
  /** Only chat requests for this model id (a storm on one model, the others served as usual). */
  model?: string
  /** Fire only for the first N hits of this rule, then stop (undefined = forever). */
  times?: number
  /** Probability 0..1 that a matching request gets the fault (deterministic from seed + request counter); default 1. */
  rate?: number
}

/** Options for `start`. */
export interface SimulatorOptions {
  /** Default "127.0.0.1". */
  host?: string
  /** Default 0 (a random free port). */
  port?: number
  /** Accepted bearer keys; default ["sk-sim-local"]. */
  keys?: Array<string>
  /** Added before each chat completion reply; default 0. */
  latencyMs?: number
  /** Uniform extra 0..jitterMs; default 0. */
  jitterMs?: number
  /** Share of known questions answered correctly; default 0.7. */
  accuracy?: number
  /** Default 1. */
  seed?: number
  /**
   * The answer key. A question with `replies` is answered from that script instead of by the
   * accuracy draw: its n-th ask (per model, counted since start, the last reset or the last change
   * of the key) gets `replies[n mod length]`, in the style the request asks for — k samples of
   * which a known number are right.
   */
  questions?: Array<SimQuestion>
  /** CSV files with INPUT and OUTPUT columns, loaded into the answer key. */
  benchmarkFiles?: Array<string>
  /** Default: a realistic list of five models (see the README). */
  models?: Array<SimModel>
  faults?: Array<FaultRule>
  /** When total cost so far exceeds it, chat returns 402. */
  creditLimitUsd?: number
  /**
   * Called with the last user message of each chat request whose question is not in the answer
   * key (answered "I am not sure."): the command-line simulator warns on stderr.
   */
  onUnknownQuestion?: (text: string) => void
}

/** Counters since start or the last reset. */
export interface SimulatorStats {
  requests: { chat: number; models: number; key: number; generation: number; unauthorized: number }
  faultsInjected: number
  /** Chat requests whose question was not in the answer key (answered "I am not sure."). */
  unknownQuestions: number
  totalCostUsd: number
  /** The highest number of chat requests in flight at once. */
  maxConcurrentChat: number
  /**
   * When the first chat request arrived and when the last chat response ended, as Unix times in
   * milliseconds with fractions (`performance.timeOrigin + performance.now()`, which another
   * process on the machine can compare with its own); null before any. A benchmark uses them to
   * split a client's run into its start, its requests and its finish.
   */
  chatWindow: { first: number | null; last: number | null }
  /** Billed completions per model id. */
  byModel: Record<string, number>
  /** Per requested model id: chat requests, faults injected, and the most in flight at once. */
  models: Record<string, ModelStats>
}

/** One model's counters. */
export interface ModelStats {
  requests: number
  faults: number
  maxConcurrent: number
}

/** A started simulator. */
export interface RunningSimulator {
  /** Base URL to give an OpenAI client, e.g. "http://127.0.0.1:43123/api/v1". */
  url: string
  port: number
  stats(): SimulatorStats
  /** Changes settings of the running server (faults replace the old rules, questions the old key). */
  configure(
    patch: Partial<Pick<SimulatorOptions, "latencyMs" | "jitterMs" | "accuracy" | "faults" | "creditLimitUsd" | "questions">>
  ): void
  /** Zeroes the stats (and the fault-rule and repeat-sampling counters). */
  reset(): void
  /** Closes the server and every open connection, including hung "timeout" ones. */
  close(): Promise<void>
}

const validateOptions = (o: SimulatorOptions): void => {
  if (o.host !== undefined && (typeof o.host !== "string" || o.host === "")) throw new Validate.ConfigError("host must be a non-empty string")
  if (o.port !== undefined && !Number.isInteger(Validate.number(o.port, "port", 0, 65535))) {
    throw new Validate.ConfigError("port must be an integer")
  }
  if (o.keys !== undefined && (!Array.isArray(o.keys) || o.keys.length === 0 || o.keys.some((k) => typeof k !== "string" || k === ""))) {
    throw new Validate.ConfigError("keys must be a non-empty array of non-empty strings")
  }
  if (o.seed !== undefined) Validate.number(o.seed, "seed", Number.NEGATIVE_INFINITY)
  if (o.benchmarkFiles !== undefined && (!Array.isArray(o.benchmarkFiles) || o.benchmarkFiles.some((f) => typeof f !== "string"))) {
    throw new Validate.ConfigError("benchmarkFiles must be an array of file paths")
  }
  if (o.models !== undefined) {
    if (!Array.isArray(o.models) || o.models.length === 0) throw new Validate.ConfigError("models must be a non-empty array")
    const ids = new Set<string>()
    for (const [i, m] of o.models.entries()) {
      if (typeof m?.id !== "string" || m.id === "") throw new Validate.ConfigError(`models[${i}].id must be a non-empty string`)
      if (ids.has(m.id)) throw new Validate.ConfigError(`models[${i}].id ${m.id} is listed twice`)
      ids.add(m.id)
      if (m.accuracy !== undefined) Validate.number(m.accuracy, `models[${i}].accuracy`, 0, 1)
      if (m.promptPrice !== undefined) Validate.number(m.promptPrice, `models[${i}].promptPrice`)
      if (m.completionPrice !== undefined) Validate.number(m.completionPrice, `models[${i}].completionPrice`)
      if (m.reasoningTokens !== undefined) Validate.number(m.reasoningTokens, `models[${i}].reasoningTokens`)
    }
  }
  // The patchable options share configure()'s checks.
  Validate.patch({
    latencyMs: o.latencyMs,
    jitterMs: o.jitterMs,
    accuracy: o.accuracy,
    faults: o.faults,
    questions: o.questions,
    ...(o.creditLimitUsd !== undefined ? { creditLimitUsd: o.creditLimitUsd } : {})
  })
}

/**
 * The questions of a benchmark file, read by core's strict reader: the simulator accepts exactly
 * the files `ml-agents benchmark import` accepts, and refuses the others with the same message.
 */
const readBenchmark = async (file: string): Promise<Array<{ question: string; answer: string }>> => {
  const parsed = Effect.runSync(Effect.either(BenchmarkCsv.parse(await readFile(file), file)))
  if (Either.isLeft(parsed)) throw new Error(parsed.left.message)
  return parsed.right.questions.map((q) => ({ question: q.text, answer: q.expectedAnswer }))
}

/** Starts a simulator on loopback (a random free port by default) and resolves once it listens. */
export const start = async (options: SimulatorOptions = {}): Promise<RunningSimulator> => {
  validateOptions(options)
  const fileQuestions: Array<{ question: string; answer: string }> = []
  for (const file of options.benchmarkFiles ?? []) {
    for (const q of await readBenchmark(file)) fileQuestions.push(q)
  }
  const server = new Server(options, fileQuestions, options.models ?? defaultModels.map((m) => ({ ...m })))
  await server.listen(options.port ?? 0)
  return server.handle()
}
