/**
 * `ml-agents experiment create | run | show | list`: a grid of agents × models × benchmarks ×
 * repeats, created and validated in one command, run as one run, and answered as one (each agent's
 * gain over the baseline per model and benchmark, with paired statistics). Each cell is an
 * ordinary evaluation that `evaluate show/export/compare` work on.
 */
import { Args, Command, Options } from "@effect/cli"
import {
  AgentConfig,
  Comparison,
  type Evaluation,
  Experiment,
  ExperimentAnalysis,
  Experiments,
  LlmClient,
  PassAtK,
  ResponseCache
} from "@ml-agents/core"
import { CodeGrader } from "@ml-agents/grader-code"
import { Duration, Effect, Either, Option } from "effect"
import * as fs from "node:fs"
import { AppContext } from "../AppContext.js"
import { ExitCode, UserError } from "../Errors.js"
import * as GridFile from "../GridFile.js"
import { type CellLine, GridView } from "../GridView.js"
import * as RunLease from "../RunLease.js"
import * as Scripting from "../Scripting.js"
import * as Ui from "../Ui.js"
import * as UsageErrors from "../UsageError.js"
import { costBound } from "./EvaluateCommands.js"
import * as WorkerCommand from "./WorkerCommand.js"

const list = (raw: string) => raw.split(",").map((s) => s.trim()).filter((s) => s !== "")

/** `--param tot.tree_depth=2` → ["tot", "tree_depth", 2]. Values are JSON when they parse, else text. */
const parseParam = (raw: string): readonly [string, string, unknown] => {
  const match = /^([^.=\s]+)\.([^=\s]+)=(.*)$/.exec(raw.trim())
  if (match === null) {
    throw new UserError({
      code: ExitCode.config,
      text: `--param '${raw}' is not agent.key=value`,
      hint: "e.g. --param tot.tree_depth=2 (the agent's id or label, a dot, the parameter)"
    })
  }
  const [, agent, key, text] = match
  try {
    return [agent!, key!, JSON.parse(text!)]
  } catch {
    return [agent!, key!, text!]
  }
}

/** The grid from the flags. */
const specFromFlags = (flags: {
  readonly agents: string
  readonly models: string
  readonly benchmarks: string
  readonly params: ReadonlyArray<string>
}): GridFile.GridSpec => {
  const agents = list(flags.agents)
  const params: Record<string, Record<string, unknown>> = {}
  for (const raw of flags.params) {
    const [agent, key, value] = parseParam(raw)
    if (!agents.includes(agent)) {
      throw new UserError({
        code: ExitCode.config,
        text: `--param ${raw}: '${agent}' is not one of the --agents (${agents.join(", ")})`,
        hint: "name an agent listed in --agents; to run one agent with two settings, use a grid file (-f grid.yaml)"
      })
    }
    params[agent] = { ...params[agent], [key]: value }
  }
  return {
    agents: agents.map((agentType) => {
      const { agent, model } = AgentConfig.splitDefaults(params[agentType] ?? {})
      return { agentType, agentParameters: agent, modelParameters: model }
    }),
    models: list(flags.models),
    benchmarks: list(flags.benchmarks)
  }
}

/** Where a key path of the grid is on the command line, for errors about flags. */
const flagOf = (gridPath: string) => {
  const root = /^[a-z]+/.exec(gridPath)?.[0] ?? ""
  return root === "agents" && gridPath.includes(".params")
    ? "--param"
    : root === "budget"
    ? "--max-cost"
    : `--${root}`
}

/** The provider's model list when a key is set (with a warning when it cannot be had). */
const modelList = Effect.gen(function*() {
  const { config } = yield* AppContext
  if (Option.isNone(config.openrouter)) {
    yield* Ui.warn("OPENROUTER_API_KEY is not set, so the model ids were not checked")
    return undefined
  }
  const llm = yield* LlmClient.LlmClient
  const models = yield* Effect.either(llm.listModels)
  if (Either.isLeft(models)) {
    yield* Ui.warn(`could not fetch the model list to check the model ids: ${models.left.message}`)
    return undefined
  }
  return models.right.length === 0 ? undefined : models.right
})

const createCommand = Command.make(
  "create",
  {
    file: Options.file("file").pipe(
      Options.withAlias("f"),
      Options.optional,
      Options.withDescription("read the grid from this YAML or JSON file instead of --agents/--models/--benchmarks (default: none)")
    ),
    agents: Options.text("agents").pipe(
      Options.optional,
      Options.withDescription("comma-separated agent ids, the first being the baseline, e.g. none,cot,tot (required without -f)")
    ),
    models: Options.text("models").pipe(
      Options.optional,
      Options.withDescription("comma-separated model ids, e.g. openai/gpt-4o-mini,anthropic/claude-3.5-haiku (required without -f)")
    ),
    benchmarks: Options.text("benchmarks").pipe(
      Options.optional,
      Options.withDescription("comma-separated names of imported benchmarks, e.g. GPQA,FOLIO (required without -f)")
    ),
    repeats: Options.integer("repeats").pipe(
      Options.optional,
      Options.withDescription("runs of every agent × model × benchmark, for the between-repeat spread (default 1)")
    ),
    sample: Options.integer("sample").pipe(
      Options.optional,
      Options.withDescription("ask only this many questions of each benchmark, the same ones in every cell, stratified by its category column (default: all)")
    ),
    seed: Options.integer("seed").pipe(
      Options.optional,
      Options.withDescription("seed of the --sample draw (default 1)")
    ),
    params: Options.text("param").pipe(
      Options.repeated,
      Options.withDescription("an agent's parameter as agent.key=value, repeatable, e.g. --param tot.tree_depth=2 (default: the agent's defaults)")
    ),
    name: Options.text("name").pipe(
      Options.optional,
      Options.withDescription("the experiment's name (default: its agents and benchmarks)")
    ),
    maxCost: Options.float("max-cost").pipe(
      Options.optional,
      Options.withDescription("the experiment's budget in USD, for all its cells together; run stops cleanly there (default: none)")
    ),
    json: Scripting.json
  },
  (options) =>
    Effect.gen(function*() {
      const { config } = yield* AppContext
      const fromFlags = Option.isSome(options.agents) || Option.isSome(options.models) || Option.isSome(options.benchmarks)
      let parsed: GridFile.Parsed | undefined
      let spec: GridFile.GridSpec
      if (Option.isSome(options.file)) {
        if (fromFlags || options.params.length > 0) {
          return yield* new UserError({
            code: ExitCode.config,
            text: "give the grid either with -f or with --agents/--models/--benchmarks/--param, not both",
            hint: "put everything in the file, or drop -f"
          })
        }
        const file = options.file.value
        const text = yield* Effect.try({
          try: () => fs.readFileSync(file, "utf8"),
          catch: (e) =>
            new UserError({ code: ExitCode.notFound, text: `cannot read the grid file ${file}: ${(e as Error).message}`, hint: "give the path of a YAML or JSON file" })
        })
        const result = GridFile.parse(file, text)
        if (Either.isLeft(result)) {
          return yield* new UserError({ code: ExitCode.config, text: result.left.message, hint: "fix the file and create again; nothing was stored" })
        }
        parsed = result.right
        spec = parsed.spec
      } else {
        const missing = (["agents", "models", "benchmarks"] as const).filter((k) => Option.isNone(options[k]))
        if (missing.length > 0) {
          return yield* new UserError({
            code: ExitCode.config,
            text: `missing ${missing.map((k) => `--${k}`).join(", ")}`,
            hint: "e.g. ml-agents experiment create --agents none,cot --models openai/gpt-4o-mini --benchmarks SAMPLE_MC, or -f grid.yaml"
          })
        }
        spec = yield* Effect.try({
          try: () =>
            specFromFlags({
              agents: Option.getOrThrow(options.agents),
              models: Option.getOrThrow(options.models),
              benchmarks: Option.getOrThrow(options.benchmarks),
              params: options.params
            }),
          catch: (e) => e as UserError
        })
      }
      const fail = (gridPath: string, problem: string) =>
        parsed !== undefined
          ? new UserError({ code: ExitCode.config, text: parsed.errorAt(gridPath, problem).message, hint: "fix the file and create again; nothing was stored" })
          : new UserError({ code: ExitCode.config, text: `${flagOf(gridPath)}: ${problem}`, hint: "nothing was stored" })

      // Models against the provider's list, before anything is stored.
      const known = yield* modelList
      if (known !== undefined) {
        for (const [i, model] of spec.models.entries()) {
          if (!known.some((m) => m.id === model)) {
            const needle = (model.split("/").pop() ?? model).toLowerCase().slice(0, 6)
            const close = known.filter((m) => m.id.toLowerCase().includes(needle)).slice(0, 5).map((m) => m.id)
            return yield* fail(
              `models[${i}]`,
              `unknown model '${model}' (not in the provider's model list)${close.length > 0 ? `; did you mean ${close.join(", ")}?` : ""}`
            )
          }
        }
      }

      const experiments = yield* Experiments.Experiments
      const sampleSize = Option.getOrUndefined(options.sample) ?? spec.sample
      const created = yield* experiments.create({
        name: Option.getOrUndefined(options.name) ?? spec.name,
        agents: spec.agents,
        models: spec.models,
        benchmarks: spec.benchmarks,
        repeats: Option.getOrUndefined(options.repeats) ?? spec.repeats,
        sample: sampleSize === undefined ? undefined : { size: sampleSize, seed: Option.getOrUndefined(options.seed) ?? spec.seed ?? 1 },
        budgetUsd: Option.getOrUndefined(options.maxCost) ?? spec.budget,
        defaults: (agentType) => AgentConfig.splitDefaults(config.agentDefaults[agentType] ?? {})
      }).pipe(Effect.catchTag("InvalidGrid", (e) => Effect.fail(fail(e.path, e.problem))))
      const { evaluations, experiment, maxCallsPerQuestion, questions } = created
      const grid = experiment.grid

      // The bound: every question of every cell makes the agent's most calls, each using all its max_tokens.
      let calls = 0
      let bound: number | null = 0
      for (const [i, cell] of experiment.cells.entries()) {
        const asked = questions.get(cell.benchmark)!
        calls += asked.length * maxCallsPerQuestion[i]!
        const pricing = known?.find((m) => m.id === cell.model)?.pricing ?? null
        const b = pricing === null ? null : costBound(asked, maxCallsPerQuestion[i]!, evaluations[i]!.agentConfig.modelParameters.maxTokens, pricing)
        bound = bound === null || b === null ? null : bound + b
      }
      const bounds: ReadonlyArray<readonly [string, string]> = [
        ["model calls", `at most ${Ui.int(calls)}`],
        ["cost", bound === null
          ? "no upper bound known (no price list, or an agent without max_tokens)"
          : `at most ${Ui.usd(bound)} (every call using all its max_tokens at list prices; real runs use far less)`]
      ]
      const agentRows = grid.agents.map((a, i) => {
        const evaluation = evaluations[experiment.cells.findIndex((c) => c.agent === a.label)]!
        const p = evaluation.agentConfig.modelParameters
        const sampling = [
          p.temperature !== undefined ? `temperature ${p.temperature}` : undefined,
          p.maxTokens !== undefined ? `max_tokens ${p.maxTokens}` : undefined,
          p.topP !== undefined ? `top_p ${p.topP}` : undefined
        ].filter((s) => s !== undefined).join(", ")
        return { i, a, sampling, parameters: evaluation.agentConfig.agentParameters }
      })
      yield* Scripting.emit(options.json, {
        json: () => ({
          experiment,
          cells: experiment.cells.map((cell, i) => ({ ...cell, evaluationId: evaluations[i]!.id, questions: questions.get(cell.benchmark)!.length })),
          maxModelCalls: calls,
          costBoundUsd: bound,
          run: `ml-agents experiment run ${experiment.id}`
        }),
        quiet: () => [experiment.id],
        text: Effect.gen(function*() {
          yield* Ui.success(`Created experiment ${Ui.style.bold(experiment.id)}: ${experiment.name}`)
          yield* Ui.print(Ui.table(agentRows, [
            { header: "AGENT", value: (r) => r.a.label + (r.i === 0 ? " (baseline)" : ""), max: 48 },
            { header: "SAMPLING", value: (r) => r.sampling || "provider defaults", max: 48 },
            { header: "PARAMETERS", value: (r) => JSON.stringify(r.parameters), max: 70 }
          ]))
          yield* Ui.print(Ui.fields([
            ["models", grid.models.join(", ")],
            ["benchmarks", grid.benchmarks.map((b) => {
              const asked = questions.get(b)!.length
              return grid.sample === null ? `${b} (${Ui.int(asked)} questions)` : `${b} (${Ui.int(asked)} sampled questions)`
            }).join(", ")],
            ["repeats", String(grid.repeats)],
            ...(grid.sample === null ? [] : [["sample", `${Ui.int(grid.sample.size)} per benchmark, seed ${grid.sample.seed}, stratified by category where there is one; the same questions in every cell`] as const]),
            ["cells", `${experiment.cells.length} (${grid.agents.length} agents × ${grid.models.length} models × ${grid.benchmarks.length} benchmarks × ${grid.repeats} repeats), each an evaluation`],
            ["budget", experiment.budgetUsd === null ? "none (set one with --max-cost)" : Ui.usd(experiment.budgetUsd)],
            ...bounds
          ]))
          yield* Ui.print(`\nRun with: ${Ui.style.cyan(`ml-agents experiment run ${experiment.id}`)}`)
        })
      })
    })
).pipe(Command.withDescription(
  "Create an experiment: a grid of agents × models × benchmarks × repeats, each cell an evaluation; validates everything and prints the cost bound and its id"
))

/** "tot(tree_depth=2) · gpt-4o-mini · GPQA #2". */
const cellName = (cell: Experiment.Cell, grid: Experiment.Grid) =>
  [cell.agent, cell.model, cell.benchmark].join(" · ") + (grid.repeats > 1 ? ` #${cell.repeat}` : "")

const runCommand = Command.make(
  "run",
  {
    id: Args.text({ name: "experiment_id" }).pipe(Args.withDescription("the id printed by experiment create")),
    concurrency: Options.integer("concurrency").pipe(
      Options.optional,
      Options.withDescription("questions in flight at once, over all cells together (default MAX_CONCURRENT_EVALUATIONS)")
    ),
    maxCost: Options.float("max-cost").pipe(
      Options.optional,
      Options.withDescription("stop cleanly (resumable) once the whole experiment's cost reaches this many USD (default: the budget given at create, else none)")
    ),
    cache: Options.boolean("cache").pipe(
      Options.withDescription("reuse stored model responses for identical requests, and store new ones (default ML_AGENTS_RESPONSE_CACHE)")
    ),
    queue: Options.boolean("queue").pipe(
      Options.withDescription("put every cell's unanswered questions on the shared queue and return at once; `ml-agents worker` runs them under the experiment's budget (default: off, run here)")
    ),
    json: Scripting.json
  },
  ({ cache, concurrency, id, json, maxCost, queue }) =>
    Effect.gen(function*() {
      const { config, flags } = yield* AppContext
      const n = yield* UsageErrors.concurrency(concurrency, config.concurrency)
      const experiments = yield* Experiments.Experiments
      const experiment = yield* experiments.get(id)
      const cells = yield* experiments.cells(experiment)
      if (cells.every((c) => c.evaluation.status === "completed")) {
        return yield* Scripting.emit(json, {
          json: () => ({ experiment: id, status: "completed", cellsRun: [], alreadyCompleted: cells.length }),
          quiet: () => [],
          text: Effect.gen(function*() {
            yield* Ui.success(`Experiment ${id} is already completed`)
            yield* Ui.print(`\nThe answer: ${Ui.style.cyan(`ml-agents experiment show ${id}`)}`)
          })
        })
      }
      if (queue) {
        if (Option.isSome(maxCost) || experiment.grid.sample !== null) {
          return yield* new UserError({
            code: ExitCode.config,
            text: Option.isSome(maxCost)
              ? "--queue does not take --max-cost: workers keep to the budget stored with the experiment"
              : `experiment ${id} asks a sample of each benchmark, which the queue cannot run yet`,
            hint: Option.isSome(maxCost) ? "give the budget at create (--max-cost), or run it here without --queue" : "run it here: ml-agents experiment run " + id
          })
        }
        const queued = yield* WorkerCommand.queue(cells.filter((c) => c.evaluation.status !== "completed").map((c) => c.evaluation.id))
        const added = queued.reduce((sum, q) => sum + q.added, 0)
        return yield* Scripting.emit(json, {
          json: () => ({ experiment: id, status: "queued", queued }),
          quiet: () => [],
          text: Effect.gen(function*() {
            yield* Ui.success(`Queued ${Ui.int(added)} question${added === 1 ? "" : "s"} of ${queued.length} cell${queued.length === 1 ? "" : "s"} of ${id}`)
            yield* Ui.print(`Start workers with: ${Ui.style.cyan("ml-agents worker")} (on any machine sharing DATABASE_URL)`)
          })
        })
      }
      const budget = Option.getOrUndefined(maxCost) ?? experiment.budgetUsd ?? undefined
      const quiet = flags.quiet || json
      if (!quiet) {
        yield* Ui.print(
          `Running ${Ui.style.bold(id)}: ${experiment.cells.length} cells, ${Ui.int(cells.reduce((s, c) => s + c.total, 0))} questions in all, ` +
            `${n} in flight at once`
        )
      }
      const open = cells.filter((c) => c.evaluation.status !== "completed")
      let view: GridView | undefined
      const outcome = yield* experiments.run(id, {
        concurrency: n,
        maxCostUsd: budget,
        cache: cache || config.responseCache ? yield* ResponseCache.ResponseCache : undefined,
        owner: RunLease.owner(),
        isOwnerAlive: RunLease.isAlive,
        questionTimeout: Duration.seconds(config.questionTimeoutSeconds),
        onStart: (info) =>
          Effect.gen(function*() {
            const lines: Array<CellLine> = open.map((c, i) => ({
              name: cellName(c.cell, experiment.grid),
              total: info.cells[i]!.total,
              done: info.cells[i]!.total - info.cells[i]!.remaining,
              correct: 0,
              errors: 0,
              spentUsd: 0,
              throttled: undefined
            }))
            view = new GridView(lines, !quiet, budget, n)
            if (info.remaining < info.total && !quiet) {
              // A closed stdout is noticed by the next print, after the run.
              yield* Effect.ignore(Ui.print(Ui.style.dim(`  resuming: ${Ui.int(info.total - info.remaining)} of ${Ui.int(info.total)} questions already done`)))
            }
          }),
        onProgress: (p) =>
          Effect.sync(() =>
            view?.update(p.cell, {
              done: p.done,
              correct: p.correct,
              errors: p.errors,
              spentUsd: p.spentUsd,
              throttled: p.concurrency.throttled || p.concurrency.limit < p.concurrency.max
                ? `throttled ${p.concurrency.limit}/${p.concurrency.max}`
                : undefined
            })
          )
      }).pipe(
        Effect.tapError(() => Effect.sync(() => view?.finish())),
        Effect.onInterrupt(() =>
          Effect.gen(function*() {
            view?.finish()
            yield* Ui.warn(
              `Interrupted. Finished results are kept and the unfinished cells are marked interrupted.\n  Resume with: ml-agents experiment run ${id}`
            )
          })
        ),
        Effect.catchTags({
          BudgetReached: (e) =>
            Effect.fail(new UserError({
              code: ExitCode.general,
              text: `Stopped at the budget: the experiment's cost reached ${Ui.usd(e.spentUsd)} of ${Ui.usd(e.budgetUsd)}. ` +
                `Finished results are kept and the unfinished cells are marked interrupted`,
              hint: `resume with a higher budget: ml-agents experiment run ${id} --max-cost <usd>`
            })),
          EvaluationFailed: (e) =>
            Effect.fail(new UserError({
              code: e.reason.category === "authentication_error" ? ExitCode.auth : ExitCode.general,
              text: e.reason.category === "credit_limit_exceeded"
                ? `Out of credits: ${e.reason.description}`
                : e.reason.category === "authentication_error"
                ? `The API key was rejected: ${e.reason.description}`
                : `Experiment failed: ${e.reason.description}`,
              hint: (e.reason.category === "credit_limit_exceeded"
                ? "add credits at https://openrouter.ai/settings/credits, then "
                : e.reason.category === "authentication_error"
                ? "check OPENROUTER_API_KEY, then "
                : "") + `resume with: ml-agents experiment run ${id}`
            }))
        })
      )
      view?.finish()
      const spent = outcome.outcomes.reduce((s, o) => s + o.results.costUsd, 0)
      yield* Scripting.emit(json, {
        // The figures are in `experiment show <id> --json`; this says what this run did.
        json: () => ({
          experiment: id,
          status: "completed",
          cellsRun: outcome.outcomes.map((o) => ({ evaluation: o.evaluation, results: o.results })),
          alreadyCompleted: outcome.alreadyCompleted
        }),
        quiet: () => [],
        text: Effect.gen(function*() {
          yield* Ui.success(
            `Experiment ${id} completed: ${outcome.outcomes.length} cell${outcome.outcomes.length === 1 ? "" : "s"} run` +
              (outcome.alreadyCompleted > 0 ? ` (${outcome.alreadyCompleted} already completed)` : "") +
              (outcome.outcomes.some((o) => o.results.costReported > 0)
                ? `, ${Ui.usd(spent)} reported by the cells run`
                : outcome.outcomes.length > 0 ? ", no cost reported by the provider" : "")
          )
          yield* Ui.print(`\nThe answer: ${Ui.style.cyan(`ml-agents experiment show ${id}`)}`)
        })
      })
    })
).pipe(Command.withDescription(
  "Run (or resume) an experiment: every cell in one run, one in-flight limit, question-major order, one budget"
))

const points = (x: number) => (x * 100).toFixed(1)
const signedPoints = (x: number) => (x > 0 ? "+" : x < 0 ? "−" : "±") + points(Math.abs(x))
const pNumber = (p: number) => (p < 0.001 ? "< 0.001" : p.toFixed(3))

/** The analysis of an experiment, read from the database. */
const analysisOf = (id: string, seed: number) =>
  Effect.gen(function*() {
    const experiments = yield* Experiments.Experiments
    const experiment = yield* experiments.get(id)
    const cells = yield* experiments.cells(experiment)
    return yield* ExperimentAnalysis.analyze(experiment, cells, { seed })
  })

const showCommand = Command.make(
  "show",
  {
    id: Args.text({ name: "experiment_id" }).pipe(Args.withDescription("the experiment's id")),
    json: Options.boolean("json").pipe(Options.withDescription("print the whole answer as one JSON document (schema in the README) (default: tables)")),
    seed: Options.integer("seed").pipe(
      Options.withDefault(Comparison.DEFAULT_SEED),
      Options.withDescription(`seed of the bootstrap resampling (default ${Comparison.DEFAULT_SEED})`)
    )
  },
  ({ id, json, seed }) =>
    Effect.gen(function*() {
      const analysis = yield* analysisOf(id, seed)
      if (json) {
        yield* Ui.print(JSON.stringify(analysis, null, 2))
        return
      }
      const x = analysis.experiment
      yield* Ui.print(Ui.style.bold(`Experiment ${x.id}: ${x.name}`))
      yield* Ui.print(Ui.fields([
        ["status", x.status],
        ["progress", `${Ui.int(analysis.totals.answered)} of ${Ui.int(analysis.totals.questions)} questions over ${analysis.cells.length} cells`],
        ["grid", `${x.agents.length} agents × ${x.models.length} models × ${x.benchmarks.length} benchmarks × ${x.repeats} repeats` +
          (x.sample === null ? "" : `, ${x.sample.size} sampled questions per benchmark (seed ${x.sample.seed})`)],
        ["baseline", x.baseline],
        ["cost", analysis.totals.costUsd === null ? "— (not reported)" : Ui.usd(analysis.totals.costUsd)]
      ]))
      const queued = yield* WorkerCommand.queueLines(analysis.cells.map((c) => c.evaluationId))
      if (queued !== "") yield* Ui.print(queued)
      for (const group of analysis.groups) {
        yield* Ui.print(`\n${Ui.style.bold(`${group.model} · ${group.benchmark}`)}`)
        const gain = new Map(group.comparisons.map((c) => [c.candidate, c] as const))
        yield* Ui.print(Ui.table(group.agents, [
          { header: "AGENT", value: (a) => a.label + (a.label === x.baseline ? " (baseline)" : ""), max: 40 },
          { header: "N", value: (a) => Ui.int(a.accuracy.n), align: "right" },
          {
            header: "ACCURACY [95% CI]",
            value: (a) => a.accuracy.n === 0 ? "—" : `${Ui.percent(a.accuracy.estimate)} [${points(a.accuracy.lower)}–${points(a.accuracy.upper)}]`
          },
          ...(x.repeats > 1
            ? [{
              header: "MEAN ± SD (REPEATS)",
              value: (a: ExperimentAnalysis.AgentFigures) =>
                a.repeats.mean === null ? "—" : `${Ui.percent(a.repeats.mean)} ± ${a.repeats.sd === null ? "—" : points(a.repeats.sd)}`
            }]
            : []),
          {
            header: "GAIN (PTS) [95% CI]",
            value: (a) => {
              const c = gain.get(a.label)
              return c === undefined ? "" : c.questions === 0 ? "—" : `${signedPoints(c.difference.estimate)} [${points(c.difference.lower)}, ${points(c.difference.upper)}]`
            }
          },
          { header: "p (HOLM)", value: (a) => { const c = gain.get(a.label); return c === undefined || c.questions === 0 ? "" : pNumber(c.mcnemar.pAdjusted) }, align: "right" },
          { header: "$/Q", value: (a) => Ui.usd(a.cost.perQuestionUsd), align: "right" },
          { header: "$/CORRECT", value: (a) => Ui.usd(a.cost.perCorrectUsd), align: "right" },
          { header: "TOK/Q", value: (a) => a.cost.tokens.perQuestion === null ? "—" : a.cost.tokens.perQuestion.toFixed(0), align: "right" },
          { header: "TOK/CORRECT", value: (a) => a.cost.tokens.perCorrect === null ? "—" : a.cost.tokens.perCorrect.toFixed(0), align: "right" }
        ]))
        for (const c of group.comparisons) yield* Ui.print(`  ${c.significant ? Ui.style.green("●") : Ui.style.dim("○")} ${c.verdict}`)
        // pass@k in the text for code benchmarks, where it is the figure people quote, and for an
        // agent that draws samples itself; for every answer kind it is in --json and the report.
        if (
          (group.answerKind === CodeGrader.KIND && group.agents.some((a) => a.passAtK !== null)) ||
          group.agents.some((a) => a.passAtK?.agentSamples === true)
        ) {
          const ks = [...new Set(group.agents.flatMap((a) => a.passAtK?.values.map((v) => v.k) ?? []))].sort((a, b) => a - b)
          yield* Ui.print(`\n  pass@k over samples ${Ui.style.dim("(unbiased estimator of Chen et al. 2021)")}`)
          yield* Ui.print(Ui.table(group.agents, [
            { header: "AGENT", value: (a) => a.label, max: 40 },
            { header: "QUESTIONS", value: (a) => a.passAtK === null ? "—" : Ui.int(a.passAtK.questions), align: "right" },
            ...ks.map((k) => ({
              header: `PASS@${k}`,
              value: (a: ExperimentAnalysis.AgentFigures) => {
                const v = a.passAtK?.values.find((x) => x.k === k)
                return v === undefined ? "—" : Ui.percent(v.estimate) + (v.questions < a.passAtK!.questions ? ` (${v.questions} q)` : "")
              },
              align: "right" as const
            }))
          ]).split("\n").map((line) => `  ${line}`).join("\n"))
        }
      }
      yield* Ui.print(Ui.style.dim(
        `\n  Gains are candidate − baseline on the questions both answered, a question's repeats kept together (bootstrap over questions, ` +
          `${Ui.int(analysis.method.bootstrap.iterations)} resamples, seed ${seed}); p: exact McNemar` +
          (x.repeats > 1 ? " (sign test on each question's mean score over repeats)" : "") +
          `, Holm-adjusted over all ${analysis.method.comparisons} comparisons.\n  Verdict rule: ${analysis.method.verdictRule}.\n` +
          (analysis.groups.some((g) => g.agents.some((a) => a.passAtK !== null))
            ? `  pass@k: ${PassAtK.SAMPLE_RULE}; a question with fewer than k samples is left out of pass@k. ` +
              `Shown here for code benchmarks and agents that draw samples, for every benchmark in --json and ml-agents report ${id}.\n`
            : "") +
          `  Each cell is an evaluation: ml-agents evaluate show <id> (ids in experiment show ${id} --json).`
      ))
    })
).pipe(Command.withDescription(
  "Show an experiment's answer: per model × benchmark, each agent's accuracy, its gain over the baseline with paired statistics, cost and a verdict"
))

const listCommand = Command.make(
  "list",
  {
    json: Scripting.json,
    limit: Options.integer("limit").pipe(Options.withDefault(20), Options.withDescription("experiments to list, most recent first (default 20)"))
  },
  ({ json, limit }) =>
    Effect.gen(function*() {
      const experiments = yield* Experiments.Experiments
      const all = yield* experiments.list(limit)
      const rows = yield* Effect.forEach(all, (experiment) =>
        Effect.map(experiments.cells(experiment), (cells) => ({ experiment, cells })))
      yield* Scripting.emit(json, {
        json: () => rows.map(({ cells, experiment }) => ({
          id: experiment.id,
          name: experiment.name,
          status: experimentStatus(cells),
          createdAt: experiment.createdAt.toISOString(),
          baseline: experiment.baseline,
          agents: experiment.grid.agents.map((a) => a.label),
          models: experiment.grid.models,
          benchmarks: experiment.grid.benchmarks,
          repeats: experiment.grid.repeats,
          sample: experiment.grid.sample,
          budgetUsd: experiment.budgetUsd,
          cells: cells.map((c) => ({ ...c.cell, status: c.evaluation.status, questions: c.total }))
        })),
        quiet: () => rows.map(({ experiment }) => experiment.id),
        text: Effect.gen(function*() {
          if (rows.length === 0) {
            return yield* Ui.print("No experiments yet. Create one with: ml-agents experiment create --agents none,cot --models <id> --benchmarks <name>")
          }
          yield* Ui.print(Ui.table(rows, [
            { header: "ID", value: ({ experiment }) => experiment.id, color: Ui.style.bold },
            { header: "STATUS", value: ({ cells }) => experimentStatus(cells) },
            { header: "CELLS", value: ({ cells }) => `${cells.filter((c) => c.evaluation.status === "completed").length}/${cells.length}`, align: "right" },
            { header: "AGENTS", value: ({ experiment }) => experiment.grid.agents.map((a) => a.label).join(", "), max: 40 },
            { header: "MODELS", value: ({ experiment }) => experiment.grid.models.join(", "), max: 40 },
            { header: "BENCHMARKS", value: ({ experiment }) => experiment.grid.benchmarks.join(", "), max: 30 },
            { header: "NAME", value: ({ experiment }) => experiment.name, max: 40 },
            { header: "CREATED", value: ({ experiment }) => Ui.timestamp(experiment.createdAt) }
          ]))
        })
      })
    })
).pipe(Command.withDescription("List experiments, most recent first"))

const experimentStatus = (cells: ReadonlyArray<{ readonly evaluation: Evaluation.Evaluation }>) =>
  Experiment.statusOf(cells.map((c) => c.evaluation.status))

/** The analysis of an experiment (for `report <experiment-id>`). */
export const analysis = analysisOf

/** `ml-agents experiment`. */
export const command = Command.make("experiment").pipe(
  Command.withDescription("Create, run and answer experiments: agents × models × benchmarks × repeats as one unit"),
  Command.withSubcommands([createCommand, runCommand, showCommand, listCommand])
)
