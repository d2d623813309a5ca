/**
 * How a failure is shown and which exit code it gives: 0 success, 1 general, 2 configuration or
 * usage, 3 not found, 4 authentication, 130 interrupted. Every message says what went wrong and
 * the next step.
 */
import { Data } from "effect"

/** Exit codes. */
export const ExitCode = { ok: 0, general: 1, config: 2, notFound: 3, auth: 4, interrupted: 130 } as const

/** A command's decision to end with a given exit code after it has printed its own report. */
export class ExitWith extends Data.TaggedError("ExitWith")<{ readonly code: number }> {}

/** A failure the user can act on, already phrased for them. */
export class UserError extends Data.TaggedError("UserError")<{
  readonly code: number
  readonly text: string
  readonly hint?: string | undefined
}> {
  override get message() {
    return this.text
  }
}

/** The shown form of a failure. */
export interface Described {
  readonly code: number
  readonly text: string
  readonly hint?: string | undefined
}

const tagOf = (e: unknown): string | undefined =>
  typeof e === "object" && e !== null && "_tag" in e ? String((e as { _tag: unknown })._tag) : undefined

const messageOf = (e: unknown): string =>
  e instanceof Error ? e.message : typeof e === "object" && e !== null && "message" in e ? String((e as any).message) : String(e)

/** Core's InvalidAgentParameters, as far as this module reads it. */
interface InvalidParameters {
  readonly agentId: string
  readonly message: string
  readonly issues?: ReadonlyArray<{ readonly parameter: string; readonly problem: string }> | undefined
  readonly kind?: "agent" | "model" | undefined
}

/** The flag that sets each model parameter. */
const modelFlags: Record<string, string> = { temperature: "--temp", maxTokens: "--max-tokens", topP: "--top-p" }
const modelExamples: Record<string, string> = { temperature: "0.7", maxTokens: "1000", topP: "0.9" }

/**
 * Wrong parameters, blamed on the flag that set them (`--temp`, `--param tree_depth`), one line
 * each: what is wrong, and an example. A value from *_AGENT_DEFAULTS is blamed on the variable
 * when no flag gave it (the check cannot tell them apart, so both are named).
 */
const invalidParameters = (e: InvalidParameters): Described => {
  const issues = e.issues ?? []
  if (issues.length === 0) {
    return { code: ExitCode.config, text: `Invalid parameters for agent '${e.agentId}': ${e.message}`, hint: "see the agents' parameters with: ml-agents agents list" }
  }
  const variable = `${e.agentId.toUpperCase()}_AGENT_DEFAULTS`
  const lines = issues.map((i) => {
    const problem = i.problem.replace(/^Expected /, "expected ")
    if (e.kind === "model") {
      const flag = modelFlags[i.parameter] ?? i.parameter
      return `${flag} (or ${i.parameter} in ${variable}): ${problem}`
    }
    return `--param ${i.parameter} (or ${i.parameter} in ${variable}): ${problem} for agent '${e.agentId}'`
  })
  const first = issues[0]!
  return {
    code: ExitCode.config,
    text: lines.join("\n  "),
    hint: e.kind === "model"
      ? `e.g. ${modelFlags[first.parameter] ?? first.parameter} ${modelExamples[first.parameter] ?? "<value>"}`
      : `see '${e.agentId}''s parameters and their defaults with: ml-agents agents list`
  }
}

/** Describes any failure of a command. */
export const describe = (e: unknown): Described => {
  const tag = tagOf(e)
  const message = messageOf(e)
  switch (tag) {
    case "UserError":
      return { code: (e as UserError).code, text: (e as UserError).text, hint: (e as UserError).hint }
    case "UsageError":
      return { code: ExitCode.config, text: message, hint: (e as any).fix }
    case "OutputClosed":
      return { code: ExitCode.general, text: message, hint: "check the disk or the file the output goes to" }
    case "ConfigInvalid":
      return { code: ExitCode.config, text: `Configuration error: ${message}`, hint: "fix it in the environment or your .env file (every variable is documented in .env.example)" }
    case "DatabaseUrlError":
      return { code: ExitCode.config, text: `Configuration error: DATABASE_URL: ${message}`, hint: "use sqlite:///relative.db, sqlite:////absolute/path.db or a file path (see .env.example)" }
    case "PluginLoadError":
      return { code: ExitCode.config, text: message, hint: (e as any).hint }
    case "EvaluationNotFound":
      return { code: ExitCode.notFound, text: message, hint: "list evaluations with: ml-agents evaluate list" }
    case "BenchmarkNotFound":
      return { code: ExitCode.notFound, text: message, hint: "see imported benchmarks with `ml-agents benchmark list`, or import one with `ml-agents benchmark import <csv|name>`" }
    case "BenchmarkFileNotFound":
      return { code: ExitCode.notFound, text: message, hint: "give the path of a CSV file, or one of the names listed by `ml-agents benchmark list --available`" }
    case "AgentNotFound":
      return { code: ExitCode.notFound, text: message, hint: "choose one of the available agents" }
    case "GraderNotFound":
      return { code: ExitCode.config, text: message, hint: "see the answer kinds with `ml-agents graders list`; a plugin's kind needs its package in ML_AGENTS_PLUGINS" }
    case "BenchmarkRejected":
      return { code: ExitCode.general, text: `Cannot import: ${message}`, hint: `${(e as any).hint}; nothing was stored` }
    case "InvalidAgentParameters":
      return invalidParameters(e as InvalidParameters)
    case "BenchmarkAlreadyExists":
      return { code: ExitCode.general, text: message, hint: "import it under another name with --name, or use the one already imported" }
    case "BenchmarkCsvError":
      return { code: ExitCode.general, text: `Cannot import: ${message}`, hint: "fix the file and import again; nothing was stored" }
    case "BudgetReached":
      return {
        code: ExitCode.general,
        text: `Stopped at the budget: ${message}. Finished results are kept and the evaluation is marked interrupted`,
        hint: `resume with a higher budget: ml-agents evaluate run ${(e as any).evaluationId} --max-cost <usd>`
      }
    case "EvaluationBusy":
      return {
        code: ExitCode.general,
        text: message,
        hint: "wait for that run to finish (see `ml-agents evaluate list`); if its process is gone, its claim lapses within 30 s"
      }
    case "ExperimentNotFound":
      return { code: ExitCode.notFound, text: message, hint: "list experiments with: ml-agents experiment list" }
    case "NothingToCompare":
      return { code: ExitCode.general, text: message, hint: "compare evaluations run on the same benchmark, after they have results (ml-agents evaluate show <id>)" }
    case "InvalidTransition":
      return { code: ExitCode.general, text: message }
    case "StorageError":
      return {
        code: ExitCode.general,
        text: `Database error (${(e as any).operation}): ${message}`,
        hint: /readonly database/.test(message)
          ? "the database is read-only for you: the commands that read (list, show, export, compare, report, health) work on it; to change it, use a copy you can write (DATABASE_URL)"
          : "check DATABASE_URL, and that the database (the SQLite file or the PostgreSQL server) is reachable and writable"
      }
    case "EvaluationFailed": {
      const reason = (e as any).reason as { category: string; description: string }
      if (reason.category === "authentication_error") {
        return { code: ExitCode.auth, text: `The API key was rejected: ${reason.description}`, hint: "check OPENROUTER_API_KEY, then resume with: ml-agents evaluate run " + (e as any).evaluationId }
      }
      if (reason.category === "credit_limit_exceeded") {
        return { code: ExitCode.general, text: `Out of credits: ${reason.description}`, hint: "add credits at https://openrouter.ai/settings/credits, then resume with: ml-agents evaluate run " + (e as any).evaluationId }
      }
      return { code: ExitCode.general, text: `Evaluation failed: ${reason.description}` }
    }
    case "LlmError": {
      const category = (e as any).category as string
      if (category === "authentication_error") {
        return { code: ExitCode.auth, text: message, hint: "check OPENROUTER_API_KEY" }
      }
      return { code: ExitCode.general, text: `Model API error (${category}): ${message}` }
    }
    default:
      return { code: ExitCode.general, text: message || "unexpected failure", hint: "run again with --verbose for details" }
  }
}
