/**
 * `ml-agents evaluate create | run | list | show`.
 */
import { Args, Command, Options } from "@effect/cli"
import {
  Agent,
  AgentConfig,
  AgentRegistry,
  AnswerKind,
  GraderRegistry,
  BenchmarkRepository,
  type Evaluation,
  EvaluationOrchestrator,
  EvaluationRepository,
  EvaluationResults,
  LlmClient,
  PassAtK,
  ResponseCache,
  ResultRepository,
  Statistics
} from "@ml-agents/core"
import { Duration, Effect, Either, Option } from "effect"
import { CodeGrader } from "@ml-agents/grader-code"
import { AppContext } from "../AppContext.js"
import * as CodeSandbox from "../CodeSandbox.js"
import { ExitCode, UserError } from "../Errors.js"
import { closest, UsageError } from "../UsageError.js"
import * as UsageErrors from "../UsageError.js"
import { ProgressBar } from "../ProgressBar.js"
import * as RunLease from "../RunLease.js"
import * as ExportCommand from "./ExportCommand.js"
import * as CompareCommand from "./CompareCommand.js"
import * as TraceView from "../TraceView.js"
import * as DataLocation from "../DataLocation.js"
import * as Output from "../Output.js"
import * as Scripting from "../Scripting.js"
import * as Ui from "../Ui.js"
import { findBenchmark } from "./BenchmarkCommands.js"
import * as WorkerCommand from "./WorkerCommand.js"

const statusColor = (status: Evaluation.EvaluationStatus) => (s: string) =>
  status === "completed"
    ? Ui.style.green(s)
    : status === "failed"
    ? Ui.style.red(s)
    : status === "interrupted" || status === "running"
    ? Ui.style.yellow(s)
    : s

const parseParam = (raw: string): readonly [string, unknown] => {
  const eq = raw.indexOf("=")
  if (eq <= 0) {
    throw new UsageError({ flag: "--param", value: raw, problem: `--param '${raw}' is not key=value`, allowed: "key=value, the value as JSON or text", fix: "e.g. --param tree_depth=2" })
  }
  const key = raw.slice(0, eq).trim()
  const text = raw.slice(eq + 1).trim()
  try {
    return [key, JSON.parse(text)]
  } catch {
    return [key, text]
  }
}

/** The flag that sets each model parameter, and an example value. */
const modelFlags: Record<string, readonly [flag: string, example: string]> = {
  temperature: ["--temp", "0.7"],
  maxTokens: ["--max-tokens", "1000"],
  topP: ["--top-p", "0.9"]
}

/**
 * A parameter the agent or the model refused, blamed on what set it: the flag (`--temp 5`,
 * `--param tree_depth=deep`) as a usage error, or else the *_AGENT_DEFAULTS variable.
 */
const blameParameters = (
  e: Agent.InvalidAgentParameters,
  given: {
    readonly agentId: string
    readonly modelFlags: Readonly<Record<string, Option.Option<number>>>
    readonly params: Readonly<Record<string, unknown>>
    readonly defaults: Readonly<Record<string, unknown>>
  }
): Agent.InvalidAgentParameters | UsageError | UserError => {
  const issue = e.issues?.[0]
  if (issue === undefined) return e
  const [, allowed, actual] = /^Expected (.*?), actual (.*)$/s.exec(issue.problem) ?? [undefined, issue.problem, undefined]
  if (e.kind === "model") {
    const [flag, example] = modelFlags[issue.parameter] ?? [issue.parameter, "<value>"]
    const value = given.modelFlags[issue.parameter]
    if (value !== undefined && Option.isSome(value)) {
      return new UsageError({ flag, value: String(value.value), problem: `${flag} ${value.value} is out of range`, allowed, fix: `e.g. ${flag} ${example}` })
    }
  } else if (Object.hasOwn(given.params, issue.parameter)) {
    const raw = given.params[issue.parameter]
    const shown = typeof raw === "string" ? raw : JSON.stringify(raw)
    const fallback = given.defaults[issue.parameter]
    return new UsageError({
      flag: "--param",
      value: `${issue.parameter}=${shown}`,
      problem: `--param ${issue.parameter}=${shown} is not a valid ${issue.parameter} for agent '${given.agentId}'`,
      allowed,
      fix: fallback !== undefined
        ? `e.g. --param ${issue.parameter}=${JSON.stringify(fallback)} (its default); every parameter: ml-agents agents list`
        : "see the agent's parameters with: ml-agents agents list"
    })
  }
  const variable = `${given.agentId.toUpperCase()}_AGENT_DEFAULTS`
  return new UserError({
    code: ExitCode.config,
    text: `Configuration error: ${variable}: ${issue.parameter} ${actual !== undefined ? `is ${actual}, ` : ""}expected ${allowed}`,
    hint: `fix ${variable} in the environment or your .env file (see .env.example)`
  })
}

const checkModel = (model: string) =>
  Effect.gen(function*() {
    const { config } = yield* AppContext
    if (Option.isNone(config.openrouter)) {
      yield* Ui.warn(`OPENROUTER_API_KEY is not set, so the model id '${model}' was not checked`)
      return Option.none<LlmClient.ModelInfo>()
    }
    const llm = yield* LlmClient.LlmClient
    const models = yield* Effect.either(llm.listModels)
    if (Either.isLeft(models)) {
      yield* Ui.warn(`could not fetch the model list to check '${model}': ${models.left.message}`)
      return Option.none<LlmClient.ModelInfo>()
    }
    if (models.right.length > 0 && !models.right.some((m) => m.id === model)) {
      const needle = model.toLowerCase().split("/").pop() ?? model
      const close = models.right.filter((m) => m.id.toLowerCase().includes(needle.slice(0, 6))).slice(0, 5)
      return yield* new UserError({
        code: ExitCode.notFound,
        text: `unknown model '${model}' (not in the provider's model list)`,
        hint: close.length > 0
          ? `did you mean: ${close.map((m) => m.id).join(", ")}?`
          : "see https://openrouter.ai/models for model ids such as openai/gpt-4o-mini"
      })
    }
    return Option.fromNullable(models.right.find((m) => m.id === model))
  })

/**
 * An upper bound of what an evaluation can cost, from the model's list prices: every question
 * makes the agent's most calls, each sending the question with about 100 tokens of instructions
 * and using all its max_tokens. Real runs cost far less; the bound says what cannot be exceeded.
 */
export const costBound = (
  questions: ReadonlyArray<{ readonly text: string }>,
  callsPerQuestion: number,
  maxTokens: number | undefined,
  pricing: { readonly promptPerToken: number; readonly completionPerToken: number }
): number | null => {
  if (maxTokens === undefined) return null
  const promptTokens = questions.reduce((n, q) => n + Math.ceil(q.text.length / 4) + 100, 0)
  return callsPerQuestion * (promptTokens * pricing.promptPerToken + questions.length * maxTokens * pricing.completionPerToken)
}

/** The answer kinds that ship with the CLI, for help texts. */
const KINDS = [...AnswerKind.builtIn, CodeGrader.KIND].join(", ")

const createCommand = Command.make(
  "create",
  {
    agent: Options.text("agent").pipe(Options.withDescription("agent id: none, cot, tot, or an installed plugin (ml-agents agents list), e.g. --agent cot")),
    model: Options.text("model").pipe(Options.withDescription("model id as the provider names it, e.g. --model openai/gpt-4o-mini")),
    benchmark: Options.text("benchmark").pipe(Options.withDescription("name of an imported benchmark (ml-agents benchmark list), e.g. --benchmark SAMPLE_MC")),
    temp: Options.float("temp").pipe(Options.optional, Options.withDescription("sampling temperature from 0 to 2 (default: the agent's), e.g. --temp 0.7")),
    maxTokens: Options.integer("max-tokens").pipe(Options.optional, Options.withDescription("most tokens per model call (default: the agent's), e.g. --max-tokens 1000")),
    topP: Options.float("top-p").pipe(Options.optional, Options.withDescription("nucleus sampling from 0 to 1 (default: the provider's), e.g. --top-p 0.9")),
    params: Options.text("param").pipe(
      Options.withPseudoName("key=value"),
      Options.repeated,
      Options.withDescription("an agent parameter (see ml-agents agents list), e.g. --param tree_depth=2")
    ),
    answerKind: Options.text("answer-kind").pipe(
      Options.optional,
      Options.withDescription(`grade this evaluation's answers as this kind instead of the benchmark's: ${KINDS}, or a plugin's (ml-agents graders list), e.g. --answer-kind text`)
    ),
    json: Scripting.json
  },
  (options) =>
    Effect.gen(function*() {
      const { config } = yield* AppContext
      const registry = yield* AgentRegistry.AgentRegistry
      yield* registry.get(options.agent)
      const benchmark = yield* findBenchmark(options.benchmark)
      const agentParameters = Object.fromEntries(
        yield* Effect.try({ try: () => options.params.map(parseParam), catch: (e) => e as UsageError })
      )
      const known = Agent.parameterNames(yield* registry.get(options.agent))
      for (const key of Object.keys(agentParameters)) {
        if (known.includes(key)) continue
        const near = closest(key, known)
        return yield* new UsageError({
          flag: "--param",
          value: key,
          problem: `agent '${options.agent}' has no parameter '${key}' (--param ${key}=…)`,
          allowed: known.length > 0 ? known.join(", ") : "none: this agent takes no parameters",
          fix: near.length > 0 ? `did you mean --param ${near[0]}=…? every parameter: ml-agents agents list` : "every agent's parameters: ml-agents agents list"
        })
      }
      const modelInfo = yield* checkModel(options.model)
      const orchestrator = yield* EvaluationOrchestrator.EvaluationOrchestrator
      const { evaluation, maxCallsPerQuestion } = yield* orchestrator.create({
        agentType: options.agent,
        model: options.model,
        benchmarkName: benchmark.name,
        modelParameters: {
          temperature: Option.getOrUndefined(options.temp),
          maxTokens: Option.getOrUndefined(options.maxTokens),
          topP: Option.getOrUndefined(options.topP)
        },
        agentParameters,
        answerKind: Option.getOrUndefined(options.answerKind),
        defaults: AgentConfig.splitDefaults(config.agentDefaults[options.agent] ?? {})
      }).pipe(
        Effect.catchTag("InvalidAgentParameters", (e) =>
          Effect.gen(function*() {
            const agent = yield* registry.get(options.agent)
            const defaults = yield* Agent.parameterDefaults(agent).pipe(Effect.orElseSucceed(() => ({} as Record<string, unknown>)))
            return yield* Effect.fail(blameParameters(e, {
              agentId: options.agent,
              modelFlags: { temperature: options.temp, maxTokens: options.maxTokens, topP: options.topP },
              params: agentParameters,
              defaults
            }))
          })
        )
      )
      const c = evaluation.agentConfig
      const pricing = Option.flatMap(modelInfo, (m) => Option.fromNullable(m.pricing))
      const questions = Option.isSome(pricing) ? yield* (yield* BenchmarkRepository.BenchmarkRepository).questions(benchmark.id) : []
      const bound = Option.isSome(pricing) ? costBound(questions, maxCallsPerQuestion, c.modelParameters.maxTokens, pricing.value) : null
      yield* Scripting.emit(options.json, {
        json: () => ({ evaluation, costBoundUsd: bound, run: `ml-agents evaluate run ${evaluation.id}` }),
        quiet: () => [evaluation.id],
        text: Effect.gen(function*() {
          yield* Ui.success(`Created evaluation ${Ui.style.bold(evaluation.id)}`)
          yield* Ui.print(Ui.fields([
            ["agent", c.agentType],
            ["model", c.modelName],
            ["benchmark", `${benchmark.name} (${Ui.int(benchmark.questionCount)} questions)`],
            ["sampling", describeSampling(c.modelParameters)],
            ...(evaluation.answerKind !== null ? [["graded as", `${evaluation.answerKind} (instead of the benchmark's)`] as const] : []),
            ...(Object.keys(c.agentParameters).length > 0
              ? [["parameters", JSON.stringify(c.agentParameters)] as const]
              : [])
          ]))
          if (Option.isSome(pricing)) {
            yield* Ui.print(Ui.fields([[
              "cost",
              bound === null
                ? "no upper bound (max_tokens is not set)"
                : `at most ${Ui.usd(bound)} (${Ui.int(questions.length)} questions × up to ${maxCallsPerQuestion} call${maxCallsPerQuestion === 1 ? "" : "s"}, ` +
                  `each using all ${Ui.int(c.modelParameters.maxTokens!)} max_tokens; real runs use far less). Cap it with --max-cost on run`
            ]]))
          }
          yield* Ui.print(`\nRun with: ${Ui.style.cyan(`ml-agents evaluate run ${evaluation.id}`)}`)
        })
      })
    })
).pipe(Command.withDescription("Create an evaluation (an agent and a model on a benchmark); prints its id"))

const describeSampling = (p: AgentConfig.ModelParameters) =>
  [
    p.temperature !== undefined ? `temperature ${p.temperature}` : undefined,
    p.maxTokens !== undefined ? `max_tokens ${p.maxTokens}` : undefined,
    p.topP !== undefined ? `top_p ${p.topP}` : undefined
  ].filter((s) => s !== undefined).join(", ") || "provider defaults"

/** " [95% CI 38.7–78.1]": the Wilson score interval of the accuracy. */
const wilsonText = (correct: number, n: number) => {
  if (n === 0) return ""
  const ci = Statistics.wilson(correct, n)
  return Ui.style.dim(` [95% CI ${(ci.lower * 100).toFixed(1)}–${(ci.upper * 100).toFixed(1)}]`)
}

/** What the summary shows besides the figures: the benchmark's size, the grading, the providers. */
interface SummaryContext {
  readonly total: number
  readonly gradedAs: string
  readonly providers: ReadonlyArray<ResultRepository.ProviderShare>
}

/** "number (the benchmark's)", "label (set for this evaluation)". */
const gradedAs = (evaluation: Evaluation.Evaluation, metadata: Readonly<Record<string, unknown>>) =>
  evaluation.answerKind !== null
    ? `${evaluation.answerKind} (set for this evaluation; change with evaluate rescore --answer-kind)`
    : typeof metadata.answerKind === "string"
    ? `${metadata.answerKind} (the benchmark's)`
    : "detected from the expected answers when run"

const summaryContext = (evaluation: Evaluation.Evaluation) =>
  Effect.gen(function*() {
    const benchmark = yield* (yield* BenchmarkRepository.BenchmarkRepository).findById(evaluation.benchmarkId)
    return {
      total: Option.match(benchmark, { onNone: () => 0, onSome: (b) => b.questionCount }),
      gradedAs: gradedAs(evaluation, Option.match(benchmark, { onNone: () => ({}), onSome: (b) => b.metadata })),
      providers: yield* (yield* ResultRepository.ResultRepository).providers(evaluation.id)
    } satisfies SummaryContext
  })

/** Where pass@k's samples came from, for the text of `evaluate show`. */
const describeSamples = (summary: PassAtK.Summary): string => {
  const repeats = `${summary.evaluations.length} repeats (${summary.evaluations.join(", ")})`
  if (!summary.agentSamples) return `over ${repeats}`
  const own = `the agent's own samples`
  return summary.evaluations.length > 1 ? `over ${own} in ${repeats}` : `over ${own}`
}

/** "OpenAI 62 calls ($0.0123), Azure 8 calls ($0.0015)". */
/**
 * The cost as far as the provider reported it: not "$0" when it reported none (unknown is not
 * free), and "at least" when only some questions' cost is known.
 */
const reportedCost = (results: EvaluationResults.EvaluationResults): string =>
  results.llmCalls === 0
    ? Ui.usd(results.costUsd)
    : results.costReported === 0
    ? "not reported by the provider"
    : results.costReported < results.processed
    ? `at least ${Ui.usd(results.costUsd)} (reported for ${Ui.int(results.costReported)} of ${Ui.int(results.processed)} questions)`
    : Ui.usd(results.costUsd)

const providersText = (shares: ReadonlyArray<ResultRepository.ProviderShare>) =>
  shares.map((p) => `${p.provider ?? "unknown"} ${Ui.int(p.calls)} call${p.calls === 1 ? "" : "s"}${p.costUsd === null ? "" : ` (${Ui.usd(p.costUsd)})`}`).join(", ")

const summaryLines = (evaluation: Evaluation.Evaluation, results: EvaluationResults.EvaluationResults, context: SummaryContext) => {
  const total = context.total
  const errorText = results.errors === 0
    ? "0"
    : `${results.errors} (${Object.entries(results.errorsByCategory).map(([k, v]) => `${k} ${v}`).join(", ")})`
  return Ui.fields([
    ["status", statusColor(evaluation.status)(evaluation.status) +
      (evaluation.failureReason ? ` — ${evaluation.failureReason.category}: ${evaluation.failureReason.description}` : "")],
    ["agent", evaluation.agentConfig.agentType],
    ["model", evaluation.agentConfig.modelName],
    ["benchmark", evaluation.benchmarkName],
    ["progress", `${Ui.int(results.processed)} of ${Ui.int(total)} questions`],
    ["accuracy", `${Ui.style.bold(Ui.percent(results.accuracy))}${wilsonText(results.correct, results.processed)} (${results.correct} correct, ${results.incorrect} wrong, ${results.noAnswer > 0 ? `${results.noAnswer} no answer, ` : ""}${results.errors} failed)`],
    ["errors", errorText],
    ["time", `${Ui.duration(results.averageTimeMs)} per question (${Ui.duration(results.totalTimeMs)} of question time in all)`],
    ["tokens", `${Ui.int(results.usage.totalTokens)} (${Ui.int(results.usage.promptTokens)} prompt, ${Ui.int(results.usage.completionTokens)} completion, ${Ui.int(results.usage.reasoningTokens)} reasoning)`],
    ["cost", `${reportedCost(results)} over ${Ui.int(results.llmCalls)} model calls` +
      (EvaluationResults.costPerCorrect(results) !== null ? `, ${Ui.usd(EvaluationResults.costPerCorrect(results)!)} per correct answer` : "") +
      (results.retries > 0 || results.cachedCalls > 0
        ? ` (${[
          results.retries > 0 ? `${Ui.int(results.retries)} retried attempts` : "",
          results.cachedCalls > 0 ? `${Ui.int(results.cachedCalls)} answered from the cache, free` : ""
        ].filter((x) => x !== "").join(", ")})`
        : "")],
    ["graded as", context.gradedAs],
    ...(context.providers.length > 0 ? [["served by", providersText(context.providers)] as const] : []),
    ["created", Ui.timestamp(evaluation.createdAt)],
    ["finished", Ui.timestamp(evaluation.completedAt)]
  ])
}

const questionCount = (benchmarkId: string) =>
  BenchmarkRepository.BenchmarkRepository.pipe(
    Effect.flatMap((repo) => repo.findById(benchmarkId)),
    Effect.map(Option.match({ onNone: () => 0, onSome: (b) => b.questionCount }))
  )

const runCommand = Command.make(
  "run",
  {
    id: Args.text({ name: "evaluation_id" }).pipe(Args.withDescription("the evaluation's id, as printed by evaluate create (ids: ml-agents evaluate list)")),
    concurrency: Options.integer("concurrency").pipe(
      Options.optional,
      Options.withDescription("questions in flight at once (default MAX_CONCURRENT_EVALUATIONS)")
    ),
    retryErrors: Options.boolean("retry-errors").pipe(
      Options.withDescription("run again only the questions that failed (also on a completed evaluation)")
    ),
    maxCost: Options.float("max-cost").pipe(
      Options.optional,
      Options.withDescription("stop cleanly (resumable) once the evaluation's cost reaches this many USD, e.g. --max-cost 2.50")
    ),
    cache: Options.boolean("cache").pipe(
      Options.withDescription("reuse stored model responses for identical requests, and store new ones (default ML_AGENTS_RESPONSE_CACHE)")
    ),
    unsafeNoSandbox: CodeSandbox.unsafeOption,
    queue: Options.boolean("queue").pipe(
      Options.withDescription("put the unanswered questions on the shared queue and return at once; `ml-agents worker` runs them (default: off, run here)")
    ),
    json: Scripting.json
  },
  ({ cache, concurrency, id, json, maxCost, queue, retryErrors, unsafeNoSandbox }) =>
    Effect.gen(function*() {
      const { config, flags } = yield* AppContext
      const n = yield* UsageErrors.concurrency(concurrency, config.concurrency)
      const orchestrator = yield* EvaluationOrchestrator.EvaluationOrchestrator
      const evaluation = yield* orchestrator.get(id)
      yield* CodeSandbox.ensureFor(evaluation, unsafeNoSandbox)
      if (evaluation.status === "completed" && !retryErrors) {
        return yield* new UserError({
          code: ExitCode.general,
          text: `evaluation ${id} is already completed`,
          hint: `see its results with: ml-agents evaluate show ${id} (or retry its failed questions with --retry-errors)`
        })
      }
      if (queue) {
        if (retryErrors || Option.isSome(maxCost)) {
          return yield* new UserError({
            code: ExitCode.config,
            text: `--queue does not take ${retryErrors ? "--retry-errors" : "--max-cost"}`,
            hint: "a budget across workers is an experiment's (ml-agents experiment create … --max-cost); retry failed questions with a plain run"
          })
        }
        const [queued] = yield* WorkerCommand.queue([id])
        yield* Ui.success(`Queued ${Ui.int(queued!.added)} question${queued!.added === 1 ? "" : "s"} of ${id}`)
        yield* Ui.print(`Start workers with: ${Ui.style.cyan("ml-agents worker")} (on any machine sharing DATABASE_URL)`)
        return
      }
      if (retryErrors) {
        const failed = yield* (yield* ResultRepository.ResultRepository).failedQuestionIds(id)
        if (failed.size === 0 && evaluation.status === "completed") {
          if (!flags.quiet && !json) yield* Ui.success(`Evaluation ${id} has no failed questions to retry`)
          else if (json) yield* Output.json({ evaluation, retried: 0 })
          return
        }
        if (!flags.quiet && !json) yield* Ui.print(Ui.style.dim(`  retrying ${failed.size} failed question${failed.size === 1 ? "" : "s"}`))
      }
      const c = evaluation.agentConfig
      if (!flags.quiet && !json) {
        yield* Ui.print(`Running ${Ui.style.bold(id)}: ${c.agentType} · ${c.modelName} · ${evaluation.benchmarkName}`)
      }
      let bar: ProgressBar | undefined
      const outcome = yield* orchestrator.run(id, {
        concurrency: n,
        retryErrors,
        maxCostUsd: Option.getOrUndefined(maxCost),
        cache: cache || config.responseCache ? yield* ResponseCache.ResponseCache : undefined,
        owner: RunLease.owner(),
        isOwnerAlive: RunLease.isAlive,
        questionTimeout: Duration.seconds(config.questionTimeoutSeconds),
        onStart: ({ remaining, total }) =>
          Effect.gen(function*() {
            bar = new ProgressBar(total, total - remaining, !flags.quiet)
            if (remaining < total && !flags.quiet && !json && !retryErrors) {
              // A closed stdout is noticed by the next print, after the run.
              yield* Effect.ignore(Ui.print(Ui.style.dim(`  resuming: ${total - remaining} of ${total} questions already done`)))
            }
          }),
        onProgress: (p) => Effect.sync(() => bar?.update(p.done, p.correct, p.errors, p.concurrency))
      }).pipe(
        Effect.tapError(() => Effect.sync(() => bar?.finish())),
        Effect.onInterrupt(() =>
          Effect.gen(function*() {
            bar?.finish()
            yield* Ui.warn(
              `Interrupted. Finished results are kept and ${id} is marked interrupted.\n  Resume with: ml-agents evaluate run ${id}`
            )
          })
        )
      )
      bar?.finish()
      const context = yield* summaryContext(outcome.evaluation)
      yield* Scripting.emit(json, {
        json: () => ({ evaluation: outcome.evaluation, questions: context.total, results: outcome.results }),
        // The exit status says how it went; `evaluate show <id> --json` has the figures.
        quiet: () => [],
        text: Effect.gen(function*() {
          yield* Ui.success(`Evaluation ${id} completed`)
          yield* Ui.print(summaryLines(outcome.evaluation, outcome.results, context))
          yield* Ui.print(Ui.style.dim(`\n  Per question: ml-agents evaluate show ${id}`))
        })
      })
    })
).pipe(Command.withDescription("Run (or resume) an evaluation, storing each question's result as it finishes"))

const listCommand = Command.make(
  "list",
  {
    status: Options.choice("status", ["pending", "running", "completed", "failed", "interrupted"]).pipe(
      Options.optional,
      Options.withDescription("only evaluations in this state, e.g. --status interrupted")
    ),
    benchmark: Options.text("benchmark").pipe(Options.optional, Options.withDescription("only evaluations of this benchmark, e.g. --benchmark SAMPLE_MC")),
    limit: Options.integer("limit").pipe(Options.withDefault(20), Options.withDescription("show at most this many, most recent first")),
    json: Scripting.json
  },
  ({ benchmark, json, limit, status }) =>
    Effect.gen(function*() {
      const { config, flags } = yield* AppContext
      const evaluations = yield* (yield* EvaluationRepository.EvaluationRepository).list({
        status: Option.getOrUndefined(status),
        benchmarkName: Option.getOrUndefined(benchmark),
        limit
      })
      if (evaluations.length === 0 && !json && !flags.quiet) {
        yield* Ui.print(
          Option.isSome(status) || Option.isSome(benchmark)
            ? "No evaluations match."
            : `No evaluations yet in ${DataLocation.databaseText(config)}.\n` +
              "Create one with: ml-agents evaluate create --agent none --model <id> --benchmark <name>"
        )
        return
      }
      const results = yield* ResultRepository.ResultRepository
      const rows = yield* Effect.forEach(evaluations, (e) =>
        Effect.all({ e: Effect.succeed(e), r: results.summarize(e.id), total: questionCount(e.benchmarkId) }))
      yield* Scripting.emit(json, {
        json: () => rows.map(({ e, r, total }) => ({ evaluation: e, questions: total, results: r })),
        quiet: () => rows.map(({ e }) => e.id),
        text: Ui.print(Ui.table(rows, [
        { header: "ID", value: ({ e }) => e.id, color: Ui.style.bold },
        { header: "STATUS", value: ({ e }) => e.status, color: (s, { e }) => statusColor(e.status)(s) },
        { header: "AGENT", value: ({ e }) => e.agentConfig.agentType },
        { header: "MODEL", value: ({ e }) => e.agentConfig.modelName, max: 36 },
        { header: "BENCHMARK", value: ({ e }) => e.benchmarkName },
        { header: "DONE", value: ({ r, total }) => `${r.processed}/${total}`, align: "right" },
        { header: "ACCURACY", value: ({ r }) => (r.processed === 0 ? "—" : Ui.percent(r.accuracy)), align: "right" },
        { header: "COST", value: ({ r }) => (r.costReported === 0 ? "—" : Ui.usd(r.costUsd)), align: "right" },
        { header: "CREATED", value: ({ e }) => Ui.timestamp(e.createdAt) }
        ]))
      })
    })
).pipe(Command.withDescription("List evaluations, most recent first"))

const showCommand = Command.make(
  "show",
  {
    id: Args.text({ name: "evaluation_id" }).pipe(Args.withDescription("the evaluation's id, as printed by evaluate create (ids: ml-agents evaluate list)")),
    limit: Options.integer("limit").pipe(Options.withDefault(50), Options.withDescription("question rows to show (0: none)")),
    offset: Options.integer("offset").pipe(Options.withDefault(0), Options.withDescription("skip this many question rows (to page through them)")),
    question: Options.text("question").pipe(
      Options.optional,
      Options.withDescription("show one question in full: its trace (the reasoning, or the ToT search tree) and raw output")
    ),
    by: Options.text("by").pipe(
      Options.optional,
      Options.withDescription("break accuracy down by this question metadata column (default: category, when the benchmark has one)")
    ),
    json: Options.boolean("json").pipe(Options.withDescription("print the same figures and rows as one JSON document"))
  },
  ({ by, id, json, limit, offset, question }) =>
    Effect.gen(function*() {
      const orchestrator = yield* EvaluationOrchestrator.EvaluationOrchestrator
      const evaluation = yield* orchestrator.get(id)
      const results = yield* ResultRepository.ResultRepository
      if (Option.isSome(question)) {
        const found = yield* results.find(id, question.value)
        if (Option.isNone(found)) {
          return yield* new UserError({
            code: ExitCode.notFound,
            text: `evaluation ${id} has no result for question '${question.value}'`,
            hint: `see the question ids with: ml-agents evaluate show ${id}`
          })
        }
        yield* Ui.print(
          json
            ? JSON.stringify(ExportCommand.full(ExportCommand.record(found.value), found.value), null, 2)
            : TraceView.render(found.value)
        )
        return
      }
      const summary = yield* results.summarize(id)
      const context = yield* summaryContext(evaluation)
      const total = context.total
      // pass@k over the evaluation's samples (its agent's own draws, its repeats): in the JSON for
      // every answer kind; in the text for code benchmarks, where it is the figure people quote,
      // and for an agent that draws samples itself (its first row says so), which is what it is for.
      const showPassAtK = json || (yield* CodeSandbox.kindOf(evaluation, undefined)) === CodeGrader.KIND ||
        (yield* results.list(id, { limit: 1, offset: 0 })).some(PassAtK.hasAgentSamples)
      const passAtK = showPassAtK ? yield* PassAtK.ofEvaluation(evaluation) : null
      if (!json) {
        yield* Ui.print(Ui.style.bold(`Evaluation ${id}`))
        yield* Ui.print(summaryLines(evaluation, summary, context))
        const queued = yield* WorkerCommand.queueLines([id])
        if (queued !== "") yield* Ui.print(queued)
        if (passAtK !== null) {
          yield* Ui.print(Ui.fields([[
            "pass@k",
            passAtK.values.map((v) =>
              `pass@${v.k} ${Ui.percent(v.estimate)}` + (v.questions < passAtK.questions ? ` (${v.questions} of ${passAtK.questions} questions)` : "")
            ).join(", ") +
            ` ${describeSamples(passAtK)}; unbiased estimator of Chen et al. 2021`
          ]]))
        }
      }
      const columns = yield* BenchmarkRepository.BenchmarkRepository.pipe(
        Effect.flatMap((repo) => repo.findById(evaluation.benchmarkId)),
        Effect.map(Option.match({ onNone: () => [] as ReadonlyArray<string>, onSome: (b) => (b.metadata.columns as ReadonlyArray<string> | undefined) ?? [] }))
      )
      const column = Option.isSome(by)
        ? columns.find((c) => c.toLowerCase() === by.value.toLowerCase())
        : columns.find((c) => c.toLowerCase() === "category")
      if (Option.isSome(by) && column === undefined) {
        return yield* new UserError({
          code: ExitCode.notFound,
          text: `the benchmark has no column '${by.value}'`,
          hint: `its columns: ${columns.join(", ") || "none"}`
        })
      }
      const groups = column !== undefined && summary.processed > 0 ? yield* results.breakdown(id, column) : []
      if (json) {
        const page = limit > 0 ? yield* results.list(id, { offset, limit }) : []
        const ci = Statistics.wilson(summary.correct, summary.processed)
        yield* Ui.print(JSON.stringify({
          evaluation,
          questions: total,
          results: summary,
          accuracyCi95: summary.processed === 0 ? null : { lower: ci.lower, upper: ci.upper },
          costPerCorrectUsd: EvaluationResults.costPerCorrect(summary),
          gradedAs: context.gradedAs,
          passAtK,
          providers: context.providers,
          breakdown: column === undefined ? null : {
            column,
            groups: groups.map((g) => {
              const gci = Statistics.wilson(g.correct, g.processed)
              return { ...g, accuracy: g.correct / g.processed, ci95: { lower: gci.lower, upper: gci.upper } }
            })
          },
          rows: page.map((r) => ExportCommand.record(r)),
          offset,
          limit
        }, null, 2))
        return
      }
      if (groups.length > 0 && column !== undefined) {
        yield* Ui.print("")
        yield* Ui.print(Ui.table(groups, [
          { header: column.toUpperCase(), value: (g) => g.value ?? "—" },
          { header: "N", value: (g) => String(g.processed), align: "right" },
          { header: "ACCURACY", value: (g) => Ui.percent(g.correct / g.processed), align: "right" },
          {
            header: "95% CI",
            value: (g) => {
              const ci = Statistics.wilson(g.correct, g.processed)
              return `${(ci.lower * 100).toFixed(1)}–${(ci.upper * 100).toFixed(1)}`
            },
            align: "right"
          }
        ]))
      }
      if (limit <= 0 || summary.processed === 0) return
      const rows = yield* results.list(id, { offset, limit })
      yield* Ui.print("")
      yield* Ui.print(Ui.table(rows, [
        { header: "Q", value: (r) => r.questionId, align: "right" },
        {
          header: "",
          value: (r) => (r.error !== null ? "!" : r.isCorrect ? "✓" : "✗"),
          color: (s, r) => (r.error !== null ? Ui.style.yellow(s) : r.isCorrect ? Ui.style.green(s) : Ui.style.red(s))
        },
        { header: "EXPECTED", value: (r) => r.expectedAnswer, max: 24 },
        { header: "ANSWER", value: (r) => r.extractedAnswer ?? "—", max: 24 },
        { header: "TIME", value: (r) => Ui.duration(r.executionTimeMs), align: "right" },
        { header: "TOKENS", value: (r) => Ui.int(r.usage.totalTokens), align: "right" },
        { header: "ERROR", value: (r) => (r.error ? `${r.error.category}: ${r.error.description}` : ""), max: 60 },
        { header: "QUESTION", value: (r) => r.questionText, max: 50 }
      ]))
      const shown = offset + rows.length
      if (shown < summary.processed) {
        yield* Ui.print(Ui.style.dim(`  rows ${offset + 1}-${shown} of ${summary.processed}; more with --offset ${shown}`))
      }
    })
).pipe(Command.withDescription("Show an evaluation's results: summary and per-question rows"))

const rescoreCommand = Command.make(
  "rescore",
  {
    id: Args.text({ name: "evaluation_id" }).pipe(Args.withDescription("the evaluation's id, as printed by evaluate create (ids: ml-agents evaluate list)")),
    answerKind: Options.text("answer-kind").pipe(
      Options.optional,
      Options.withDescription(`grade as this kind from now on (stored with the evaluation): ${KINDS}, a plugin's (ml-agents graders list), or 'benchmark' to go back to the benchmark's`)
    ),
    unsafeNoSandbox: CodeSandbox.unsafeOption,
    json: Scripting.json
  },
  ({ answerKind, id, json, unsafeNoSandbox }) =>
    Effect.gen(function*() {
      const orchestrator = yield* EvaluationOrchestrator.EvaluationOrchestrator
      const graders = yield* GraderRegistry.GraderRegistry
      yield* CodeSandbox.ensureFor(
        yield* orchestrator.get(id),
        unsafeNoSandbox,
        Option.match(answerKind, { onNone: () => undefined, onSome: (k) => (k === "benchmark" ? null : k) })
      )
      const { after, before, changed, kind } = yield* orchestrator.rescore(id, {
        owner: RunLease.owner(),
        isOwnerAlive: RunLease.isAlive,
        answerKind: Option.match(answerKind, { onNone: () => undefined, onSome: (k) => (k === "benchmark" ? null : k) })
      })
      const version = (yield* graders.get(kind)).version
      yield* Scripting.emit(json, {
        json: () => ({ evaluationId: id, answerKind: kind, graderVersion: version, changed, before, after }),
        quiet: () => [],
        text: Effect.gen(function*() {
          yield* Ui.success(
            `Re-graded ${Ui.int(after.processed - after.errors)} answers of ${id} as ${kind} (grader version ${version}), without model calls: ` +
              `${Ui.int(changed)} grade${changed === 1 ? "" : "s"} changed`
          )
          yield* Ui.print(Ui.fields([
            ["before", `${Ui.percent(before.accuracy)} (${before.correct} correct)`],
            ["after", `${Ui.percent(after.accuracy)}${wilsonText(after.correct, after.processed)} (${after.correct} correct, ${after.incorrect} wrong, ${after.noAnswer} no answer, ${after.errors} failed)`]
          ]))
        })
      })
    })
).pipe(Command.withDescription("Grade an evaluation's stored answers again with the current graders (no model calls)"))

/** `ml-agents evaluate`. */
export const command = Command.make("evaluate").pipe(
  Command.withDescription("Create, run and inspect evaluations"),
  Command.withSubcommands([createCommand, runCommand, listCommand, showCommand, rescoreCommand, ExportCommand.command, CompareCommand.command])
)
