/**
 * The application's configuration, 12-factor style: environment variables, with a `.env` file
 * in the working directory read when present (or the file given by `--config`). Real
 * environment variables win over the file. Every value is validated at start; a bad one stops
 * the program with a message that names the variable. The API key is kept Redacted and never
 * echoed.
 */
import { Data, Redacted } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as DotEnv from "./DotEnv.js"

/** A configuration value that cannot be used. */
export class ConfigInvalid extends Data.TaggedError("ConfigInvalid")<{
  readonly variable: string
  readonly problem: string
}> {
  override get message() {
    return `${this.variable}: ${this.problem}`
  }
}

/** The validated configuration. */
export interface AppConfig {
  /** Where the values came from, for `health` and `--verbose`. */
  readonly envFile: string | null
  readonly env: Readonly<Record<string, string>>
  readonly databaseUrl: string
  readonly databaseEcho: boolean
  readonly openrouter: {
    readonly apiKey: Redacted.Redacted<string> | null
    readonly baseUrl: string
    readonly timeoutSeconds: number
    readonly maxRetries: number
    readonly dataCollection: "allow" | "deny" | null
  }
  readonly appName: string
  readonly appUrl: string | null
  readonly logLevel: "debug" | "info" | "warning" | "error" | "none"
  readonly debugMode: boolean
  readonly questionTimeoutSeconds: number
  readonly concurrency: number
  /** Code executions at once in the sandbox (CODE_EXEC_CONCURRENCY), separate from model calls. */
  readonly codeExecConcurrency: number
  readonly responseCache: boolean
  readonly agentDefaults: Readonly<Record<string, Readonly<Record<string, unknown>>>>
  readonly plugins: ReadonlyArray<string>
  readonly benchmarkDirs: ReadonlyArray<string>
}

type Env = Readonly<Record<string, string | undefined>>

const str = (env: Env, name: string): string | undefined => {
  const v = env[name]
  return v === undefined || v.trim() === "" ? undefined : v.trim()
}

const bool = (env: Env, name: string, fallback: boolean): boolean => {
  const v = str(env, name)
  if (v === undefined) return fallback
  const l = v.toLowerCase()
  if (["true", "1", "yes", "on"].includes(l)) return true
  if (["false", "0", "no", "off"].includes(l)) return false
  throw new ConfigInvalid({ variable: name, problem: `expected true or false, got '${v}'` })
}

const num = (
  env: Env,
  name: string,
  fallback: number,
  options: { readonly integer?: boolean; readonly min: number; readonly max: number; readonly unit?: string }
): number => {
  const v = str(env, name)
  if (v === undefined) return fallback
  const n = Number(v)
  const kind = options.integer ? "a whole number" : "a number"
  if (!Number.isFinite(n) || (options.integer && !Number.isInteger(n)) || n < options.min || n > options.max) {
    throw new ConfigInvalid({
      variable: name,
      problem: `expected ${kind} from ${options.min} to ${options.max}${options.unit ? ` (${options.unit})` : ""}, got '${v}'`
    })
  }
  return n
}

const jsonObject = (env: Env, name: string, fallback: Record<string, unknown>): Record<string, unknown> => {
  const v = str(env, name)
  if (v === undefined) return fallback
  let parsed: unknown
  try {
    parsed = JSON.parse(v)
  } catch (e) {
    throw new ConfigInvalid({ variable: name, problem: `not valid JSON (${(e as Error).message})` })
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigInvalid({ variable: name, problem: `expected a JSON object like {"temperature": 0.8}` })
  }
  return parsed as Record<string, unknown>
}

const url = (env: Env, name: string, fallback: string): string => {
  const v = str(env, name) ?? fallback
  try {
    const u = new URL(v)
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("not http(s)")
  } catch {
    throw new ConfigInvalid({ variable: name, problem: `expected an http(s) URL, got '${v}'` })
  }
  return v.replace(/\/+$/, "")
}

/** The agent defaults of SPEC.md, used when the corresponding variable is unset. */
export const defaultAgentDefaults: Readonly<Record<string, Record<string, unknown>>> = {
  none: { temperature: 0.1, max_tokens: 800 },
  cot: { temperature: 0.8, max_tokens: 1000 },
  tot: {
    temperature: 0.9,
    max_tokens: 1500,
    tree_depth: 3,
    branches_per_step: 4,
    evaluation_method: "vote",
    pruning_threshold: 0.3,
    backtrack_on_failure: true,
    max_evaluations: 20,
    beam_width: 1
  }
}

/** Reads the env file: `--config <path>` (must exist) or `.env` in the working directory (optional). */
export const readEnvFile = (configPath: string | undefined, cwd: string): { file: string | null; values: Record<string, string> } => {
  const file = configPath !== undefined ? path.resolve(cwd, configPath) : path.join(cwd, ".env")
  let text: string
  try {
    text = fs.readFileSync(file, "utf8")
  } catch (e) {
    if (configPath === undefined && (e as NodeJS.ErrnoException).code === "ENOENT") return { file: null, values: {} }
    throw new ConfigInvalid({
      variable: "--config",
      problem: `cannot read '${file}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`
    })
  }
  try {
    return { file, values: DotEnv.parse(text, file) }
  } catch (e) {
    throw new ConfigInvalid({ variable: configPath === undefined ? ".env" : "--config", problem: (e as Error).message })
  }
}

/** Builds and validates the configuration from an environment. Throws ConfigInvalid. */
export const fromEnv = (env: Env, envFile: string | null, bundledBenchmarks: string, cwd: string): AppConfig => {
  const key = str(env, "OPENROUTER_API_KEY")
  const dataCollection = str(env, "OPENROUTER_DATA_COLLECTION")?.toLowerCase()
  if (dataCollection !== undefined && dataCollection !== "allow" && dataCollection !== "deny") {
    throw new ConfigInvalid({ variable: "OPENROUTER_DATA_COLLECTION", problem: `expected allow or deny, got '${dataCollection}'` })
  }
  const logLevel = (str(env, "LOG_LEVEL") ?? "warning").toLowerCase().replace(/^warn$/, "warning").replace(/^critical$/, "error")
  if (!["debug", "info", "warning", "error", "none"].includes(logLevel)) {
    throw new ConfigInvalid({ variable: "LOG_LEVEL", problem: `expected DEBUG, INFO, WARNING, ERROR or NONE, got '${str(env, "LOG_LEVEL")}'` })
  }
  const agentDefaults: Record<string, Record<string, unknown>> = {}
  for (const [agent, fallback] of Object.entries(defaultAgentDefaults)) {
    agentDefaults[agent] = jsonObject(env, `${agent.toUpperCase()}_AGENT_DEFAULTS`, fallback)
  }
  const plugins = (str(env, "ML_AGENTS_PLUGINS") ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "")
  const dirs = (str(env, "ML_AGENTS_BENCHMARK_DIR") ?? "benchmarks").split(path.delimiter).filter((s) => s !== "")
  return {
    envFile,
    env: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)),
    databaseUrl: str(env, "DATABASE_URL") ?? "sqlite:///ml_agents.db",
    databaseEcho: bool(env, "DATABASE_ECHO", false),
    openrouter: {
      apiKey: key === undefined ? null : Redacted.make(key),
      baseUrl: url(env, "OPENROUTER_BASE_URL", "https://openrouter.ai/api/v1"),
      timeoutSeconds: num(env, "OPENROUTER_TIMEOUT", 60, { min: 1, max: 3600, unit: "seconds" }),
      maxRetries: num(env, "OPENROUTER_MAX_RETRIES", 3, { integer: true, min: 0, max: 10 }),
      dataCollection: (dataCollection as "allow" | "deny" | undefined) ?? null
    },
    appName: str(env, "APP_NAME") ?? "ML-Agents-v2",
    appUrl: str(env, "APP_URL") === undefined ? null : url(env, "APP_URL", ""),
    logLevel: logLevel as AppConfig["logLevel"],
    debugMode: bool(env, "DEBUG_MODE", false),
    questionTimeoutSeconds: num(env, "QUESTION_TIMEOUT", 120, { min: 1, max: 86400, unit: "seconds" }),
    concurrency: num(env, "MAX_CONCURRENT_EVALUATIONS", 1, { integer: true, min: 1, max: 1024 }),
    codeExecConcurrency: num(env, "CODE_EXEC_CONCURRENCY", os.availableParallelism(), { integer: true, min: 1, max: 1024 }),
    responseCache: bool(env, "ML_AGENTS_RESPONSE_CACHE", false),
    agentDefaults,
    plugins,
    benchmarkDirs: [...dirs.map((d) => path.resolve(cwd, d)), bundledBenchmarks]
  }
}

/** The `.env` (or `--config`) file's variables under the process environment, which wins. */
export const load = (configPath: string | undefined, bundledBenchmarks: string, cwd = process.cwd()): AppConfig => {
  const { file, values } = readEnvFile(configPath, cwd)
  // A variable set but empty in the environment does not hide the file's value.
  const present = Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined && v !== ""))
  return fromEnv({ ...values, ...present }, file, bundledBenchmarks, cwd)
}
