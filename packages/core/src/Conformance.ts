/**
 * The conformance suite for agent plugins: checks any agent against the contract with scripted
 * models, with no network. Framework-agnostic: `verify(agent)` is an Effect that fails with a
 * report of every broken rule, so a plugin's own test is one line:
 * `it.effect("conforms", () => Conformance.verify(agent))`.
 */
import { Cause, Data, Effect, Exit, Fiber, Schema } from "effect"
import * as Agent from "./Agent.js"
import { ModelParameters } from "./AgentConfig.js"
import { Question } from "./Benchmark.js"
import { LlmClient, LlmError, type ChatRequest } from "./LlmClient.js"
import * as ScriptedLlmClient from "./ScriptedLlmClient.js"

/** One rule of the contract and whether the agent kept it. */
export interface CheckResult {
  readonly name: string
  readonly passed: boolean
  readonly detail?: string | undefined
}

/** Some conformance checks failed. */
export class ConformanceFailure extends Data.TaggedError("ConformanceFailure")<{
  readonly agentId: string
  readonly failures: ReadonlyArray<CheckResult>
}> {
  override get message() {
    return `agent '${this.agentId}' broke ${this.failures.length} conformance rule(s):\n` +
      this.failures.map((f) => `  - ${f.name}: ${f.detail ?? "failed"}`).join("\n")
  }
}

/** Options of the suite. */
export interface Options {
  /** Agent parameters to solve with (decoded with defaults); default `{}`. */
  readonly parameters?: Readonly<Record<string, unknown>> | undefined
  /** Most model calls one question may take in these checks; default 100. */
  readonly maxCalls?: number | undefined
}

const question = (n: number) =>
  new Question({ id: `q${n}`, text: `Conformance question number ${n}: what is ${n} + ${n}?`, expectedAnswer: String(2 * n), metadata: {} })

const numberIn = (request: ChatRequest): number | null => {
  const all = request.messages.map((m) => m.content).join("\n")
  const m = /Conformance question number (\d+)/.exec(all)
  return m === null ? null : Number(m[1])
}

const describeCause = (cause: Cause.Cause<unknown>) => Cause.pretty(cause).split("\n").slice(0, 3).join(" ")

/**
 * A reply every agent should be able to live with: reasoning, an `Answer:` line, and for prompts
 * that look like evaluations of candidates, a vote and a score in plain words.
 */
const universalReply = (n: number | null) =>
  `Let me think step by step.\nThe best choice is 1.\nScore: 0.9\nConfidence: 0.9\nAnswer: ${n === null ? "unknown" : 2 * n}`

/** Whether a value survives JSON storage unchanged: no functions, class instances, NaN or cycles. */
export const isPlainJson = (value: unknown, seen: Set<unknown> = new Set()): boolean => {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true
  if (typeof value === "number") return Number.isFinite(value)
  if (typeof value !== "object" || seen.has(value)) return false
  seen.add(value)
  const ok = Array.isArray(value)
    ? value.every((v) => isPlainJson(v, seen))
    : (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) &&
      Object.values(value).every((v) => isPlainJson(v, seen))
  seen.delete(value)
  return ok
}

/** Runs every check and returns one result per rule. */
export const run = <P>(agent: Agent.Agent<P>, options: Options = {}): Effect.Effect<ReadonlyArray<CheckResult>> =>
  Effect.gen(function*() {
    const results: Array<CheckResult> = []
    const check = (name: string, passed: boolean, detail?: string) => results.push({ name, passed, detail })
    const maxCalls = options.maxCalls ?? 100
    const model = "conformance/model"
    const modelParameters = new ModelParameters({ temperature: 0.3, maxTokens: 321 })

    check("id is lowercase letters, digits and dashes", /^[a-z][a-z0-9-]{0,39}$/.test(agent.id), `got '${agent.id}'`)
    check("description is one non-empty line", agent.description.trim() !== "" && !agent.description.includes("\n"))

    const decoded = yield* Effect.either(Agent.decodeParameters(agent, options.parameters ?? {}))
    if (decoded._tag === "Left") {
      check("parameters decode with defaults", false, decoded.left.message)
      return results
    }
    check("parameters decode with defaults", true)
    const parameters = decoded.right
    const unknownKey = yield* Effect.either(Agent.decodeParameters(agent, { ...options.parameters, no_such_parameter_xyz: 1 }))
    check("unknown parameters are rejected", unknownKey._tag === "Left")
    const encoded = yield* Effect.either(Schema.encode(agent.parameters)(parameters))
    check(
      "decoded parameters encode back",
      encoded._tag === "Right",
      encoded._tag === "Left" ? encoded.left.message : undefined
    )
    const modelDefaultsValid = Schema.is(ModelParameters)(agent.modelDefaults)
    check("model defaults are ModelParameters", modelDefaultsValid)

    const solveWith = (script: ScriptedLlmClient.Script, q: Question) => {
      const scripted = ScriptedLlmClient.make(script)
      return {
        scripted,
        effect: agent.solve({ question: q, model, modelParameters, parameters }).pipe(
          Effect.provideService(LlmClient, scripted.client)
        )
      }
    }

    // 1. A cooperative model: the agent answers, calls the model sensibly, and its trace is JSON.
    {
      const { effect, scripted } = solveWith((request) => universalReply(numberIn(request)), question(21))
      const exit = yield* Effect.exit(effect)
      if (Exit.isFailure(exit)) {
        check("solves a question with a cooperative model", false, describeCause(exit.cause))
      } else {
        const output = exit.value
        check("solves a question with a cooperative model", true)
        check("returns the answer the model gave", output.answer !== null && output.answer.includes("42"), `answer ${JSON.stringify(output.answer)}`)
        check("rawOutput is a string", typeof output.rawOutput === "string")
        check("trace is plain JSON", isPlainJson(output.trace))
        if (output.samples !== undefined) {
          check(
            "samples, when given, are the raw outputs of model calls (strings, at most one per call)",
            Array.isArray(output.samples) && output.samples.every((s) => typeof s === "string") &&
              output.samples.length <= scripted.requests.length,
            `${JSON.stringify(output.samples).slice(0, 200)} after ${scripted.requests.length} calls`
          )
        }
        const requests = scripted.requests
        check("calls the model at least once", requests.length >= 1)
        check(`makes at most ${maxCalls} calls`, requests.length <= maxCalls, `${requests.length} calls`)
        check("asks the model it was given", requests.every((r) => r.model === model))
        check("sends non-empty messages", requests.every((r) => r.messages.length > 0 && r.messages.every((m) => typeof m.content === "string")))
        check("passes max_tokens through", requests.every((r) => r.maxTokens === undefined || r.maxTokens <= 321), "maxTokens above the configured 321")
        check("puts the question in a prompt", requests.some((r) => r.messages.some((m) => m.content.includes("Conformance question number 21"))))
      }
    }

    // 2. A failing model: the LlmError comes out as a failure (or an AgentError), never as a defect.
    {
      const error = new LlmError({ category: "rate_limit_exceeded", message: "slow down", status: 429, recoverable: true })
      const { effect } = solveWith(() => error, question(3))
      const exit = yield* Effect.exit(effect)
      const ok = Exit.isFailure(exit) && Cause.failureOption(exit.cause)._tag === "Some" && !Cause.isDie(exit.cause)
      check("a model error fails the question as an error, not a crash", ok, Exit.isFailure(exit) ? describeCause(exit.cause) : "it succeeded")
      if (ok && Exit.isFailure(exit)) {
        const failure = Cause.failureOption(exit.cause)
        const tag = failure._tag === "Some" ? (failure.value as { _tag?: string })._tag : undefined
        check("the model's error keeps its category", tag === "LlmError" ? (failure as any).value.category === "rate_limit_exceeded" : tag === "AgentError", `failed with ${tag}`)
      }
    }

    // 3. A model that talks nonsense or says nothing: no crash.
    for (const [label, reply] of [["empty replies", ""], ["unparseable replies", "}{ <<garbage>> \u0000"]] as const) {
      const { effect } = solveWith(() => reply, question(4))
      const exit = yield* Effect.exit(effect)
      const fine = Exit.isSuccess(exit) || !Cause.isDie(exit.cause)
      check(`${label} give no answer or an AgentError, never a crash`, fine, Exit.isFailure(exit) ? describeCause(exit.cause) : undefined)
    }

    // 4. Concurrent questions don't leak into each other.
    {
      const scripted = ScriptedLlmClient.make((request) => universalReply(numberIn(request)))
      const outputs = yield* Effect.either(
        Effect.forEach([5, 6, 7, 8], (n) =>
          agent.solve({ question: question(n), model, modelParameters, parameters }).pipe(
            Effect.provideService(LlmClient, scripted.client)
          ), { concurrency: "unbounded" })
      )
      check(
        "concurrent questions keep their own answers",
        outputs._tag === "Right" && outputs.right.every((o, i) => o.answer !== null && o.answer.includes(String(2 * (5 + i)))),
        outputs._tag === "Right" ? JSON.stringify(outputs.right.map((o) => o.answer)) : outputs.left.message
      )
    }

    // 5. Interruption: a model that never answers, then the question is abandoned.
    {
      const { effect } = solveWith(() => Effect.never, question(9))
      const fiber = yield* Effect.fork(effect)
      for (let i = 0; i < 10; i++) yield* Effect.yieldNow()
      // A real-time limit, so that the check also works under a TestClock that never advances.
      const limit = Effect.async<"stuck">((resume) => {
        const timer = setTimeout(() => resume(Effect.succeed("stuck")), 5_000)
        return Effect.sync(() => clearTimeout(timer))
      })
      const exit = yield* Effect.raceFirst(Fiber.interrupt(fiber), limit)
      check("can be interrupted while waiting for the model", exit !== "stuck" && Exit.isInterrupted(exit))
    }

    return results
  })

/** Runs every check and fails with a `ConformanceFailure` listing the rules the agent broke. */
export const verify = <P>(agent: Agent.Agent<P>, options?: Options): Effect.Effect<ReadonlyArray<CheckResult>, ConformanceFailure> =>
  run(agent, options).pipe(
    Effect.flatMap((results) => {
      const failures = results.filter((r) => !r.passed)
      return failures.length === 0
        ? Effect.succeed(results)
        : Effect.fail(new ConformanceFailure({ agentId: agent.id, failures }))
    })
  )
