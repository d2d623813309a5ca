/**
 * The application's configuration, 12-factor style, read once at start with effect's `Config`
 * from one provider (ConfigSource.ts: the environment over `.env.<environment>` over `.env`).
 * Each package reads its own variables with its own `Config`: the OpenRouter adapter's
 * `OpenRouterClient.config` is the only reader of `OPENROUTER_*`, `APP_NAME` and `APP_URL`; this
 * module reads the rest. Every value is validated at start; a bad one stops the program with a
 * message that names the variable, the file and the line. The API key stays Redacted.
 */
import { OpenRouterClient } from "@ml-agents/openrouter"
import { Config, ConfigError, Effect, Either, Option, Redacted } from "effect"
import * as os from "node:os"
import * as path from "node:path"
import * as ConfigSource from "./ConfigSource.js"

/** A configuration value that cannot be used. */
export const ConfigInvalid = ConfigSource.ConfigInvalid
/** A configuration value that cannot be used. */
export type ConfigInvalid = ConfigSource.ConfigInvalid

/** The validated configuration. */
export interface AppConfig {
  /** Where the values came from, for `health` and `--verbose`. */
  readonly source: Pick<ConfigSource.ConfigSource, "files" | "environment" | "origin">
  readonly databaseUrl: string
  /** Whether DATABASE_URL was set (else the per-user default is used). */
  readonly databaseUrlSet: boolean
  readonly databaseEcho: boolean
  /** Connections in each process's pool (DATABASE_POOL_SIZE; PostgreSQL only). */
  readonly databasePoolSize: number
  /** The OpenRouter client's options, read by the adapter's own Config; none without a key. */
  readonly openrouter: Option.Option<OpenRouterClient.OpenRouterOptions>
  readonly logLevel: "debug" | "info" | "warning" | "error" | "none"
  readonly debugMode: boolean
  readonly questionTimeoutSeconds: number
  readonly concurrency: number
  /** Code executions at once in the sandbox (CODE_EXEC_CONCURRENCY), separate from model calls. */
  readonly codeExecConcurrency: number
  readonly responseCache: boolean
  /** `worker`: how long a claimed batch stays a worker's without a heartbeat (renewed every third of it). */
  readonly workerLeaseSeconds: number
  /** `worker`: how often an idle worker looks for work. */
  readonly workerPollSeconds: number
  readonly agentDefaults: Readonly<Record<string, Readonly<Record<string, unknown>>>>
  readonly plugins: ReadonlyArray<string>
  readonly benchmarkDirs: ReadonlyArray<string>
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

/**
 * The per-user default database, used when DATABASE_URL is unset: the same file whatever the
 * working directory (`$XDG_DATA_HOME/ml-agents/ml_agents.db`, else `~/.local/share/...`).
 */
export const defaultDatabaseFile = (env: Readonly<Record<string, string | undefined>> = process.env): string =>
  path.join(env.XDG_DATA_HOME || path.join(os.homedir(), ".local", "share"), "ml-agents", "ml_agents.db")

/** An optional variable parsed from its text; unset gives the fallback. */
const parsed = <A>(name: string, fallback: A, parse: (raw: string) => Either.Either<A, string>): Config.Config<A> =>
  Config.option(Config.string(name)).pipe(
    Config.mapOrFail(Option.match({
      onNone: () => Either.right(fallback),
      onSome: (raw) => Either.mapLeft(parse(raw.trim()), (problem) => ConfigError.InvalidData([name], `${problem}, got '${raw.trim()}'`))
    }))
  )

const bool = (name: string, fallback: boolean) =>
  parsed(name, fallback, (raw) => {
    const l = raw.toLowerCase()
    if (["true", "1", "yes", "on"].includes(l)) return Either.right(true)
    if (["false", "0", "no", "off"].includes(l)) return Either.right(false)
    return Either.left("expected true or false")
  })

const num = (name: string, fallback: number, o: { readonly integer?: boolean; readonly min: number; readonly max: number; readonly unit?: string }) =>
  parsed(name, fallback, (raw) => {
    const n = Number(raw)
    return !Number.isFinite(n) || (o.integer && !Number.isInteger(n)) || n < o.min || n > o.max
      ? Either.left(`expected ${o.integer ? "a whole number" : "a number"} from ${o.min} to ${o.max}${o.unit ? ` (${o.unit})` : ""}`)
      : Either.right(n)
  })

const jsonObject = (name: string, fallback: Record<string, unknown>) =>
  parsed<Record<string, unknown>>(name, fallback, (raw) => {
    let value: unknown
    try {
      value = JSON.parse(raw)
    } catch (e) {
      return Either.left(`not valid JSON (${(e as Error).message})`)
    }
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? Either.right(value as Record<string, unknown>)
      : Either.left(`expected a JSON object like {"temperature": 0.8}`)
  })

const logLevel = parsed<AppConfig["logLevel"]>("LOG_LEVEL", "warning", (raw) => {
  const l = raw.toLowerCase().replace(/^warn$/, "warning").replace(/^critical$/, "error")
  return ["debug", "info", "warning", "error", "none"].includes(l)
    ? Either.right(l as AppConfig["logLevel"])
    : Either.left("expected DEBUG, INFO, WARNING, ERROR or NONE")
})

const list = (name: string, separator: string | RegExp, fallback: string) =>
  Config.option(Config.string(name)).pipe(
    Config.map((value) => Option.getOrElse(value, () => fallback).split(separator).map((s) => s.trim()).filter((s) => s !== ""))
  )

/** The CLI's own variables (everything but the OpenRouter adapter's), as effect Config. */
export const config = (bundledBenchmarks: string, cwd: string, env: Readonly<Record<string, string | undefined>> = process.env) =>
  Config.all({
    databaseUrl: Config.option(Config.string("DATABASE_URL")),
    databaseEcho: bool("DATABASE_ECHO", false),
    databasePoolSize: num("DATABASE_POOL_SIZE", 10, { integer: true, min: 1, max: 1000, unit: "connections" }),
    // The adapter's own Config; none when the key is unset (a bad value is still an error).
    openrouter: Config.option(OpenRouterClient.config),
    logLevel,
    debugMode: bool("DEBUG_MODE", false),
    questionTimeoutSeconds: num("QUESTION_TIMEOUT", 120, { min: 1, max: 86400, unit: "seconds" }),
    concurrency: num("MAX_CONCURRENT_EVALUATIONS", 1, { integer: true, min: 1, max: 1024 }),
    codeExecConcurrency: num("CODE_EXEC_CONCURRENCY", os.availableParallelism(), { integer: true, min: 1, max: 1024 }),
    responseCache: bool("ML_AGENTS_RESPONSE_CACHE", false),
    workerLeaseSeconds: num("WORKER_LEASE_SECONDS", 60, { min: 0.1, max: 86400, unit: "seconds" }),
    workerPollSeconds: num("WORKER_POLL_SECONDS", 2, { min: 0.01, max: 3600, unit: "seconds" }),
    agentDefaults: Config.all(
      Object.fromEntries(
        Object.entries(defaultAgentDefaults).map(([agent, fallback]) => [agent, jsonObject(`${agent.toUpperCase()}_AGENT_DEFAULTS`, fallback)])
      )
    ),
    plugins: list("ML_AGENTS_PLUGINS", ",", ""),
    benchmarkDirs: list("ML_AGENTS_BENCHMARK_DIR", path.delimiter, "benchmarks")
  }).pipe(
    Config.map((v) => ({
      ...v,
      databaseUrlSet: Option.isSome(v.databaseUrl),
      databaseUrl: Option.getOrElse(v.databaseUrl, () => `sqlite:///${defaultDatabaseFile(env)}`),
      benchmarkDirs: [...v.benchmarkDirs.map((d) => path.resolve(cwd, d)), bundledBenchmarks]
    }))
  )

/** Reads and validates the configuration from its sources; fails with ConfigInvalid naming the variable and where it was set. */
export const fromSource = (
  source: ConfigSource.ConfigSource,
  bundledBenchmarks: string,
  cwd: string = process.cwd(),
  env: Readonly<Record<string, string | undefined>> = process.env
): Effect.Effect<AppConfig, ConfigSource.ConfigInvalid> =>
  source.provider.load(config(bundledBenchmarks, cwd, env)).pipe(
    Effect.map((values): AppConfig => ({ ...values, source })),
    Effect.mapError((error) => ConfigSource.fromConfigError(error, source))
  )

/** Builds and validates the configuration from variables alone (tests, embedding); throws ConfigInvalid. */
export const fromEnv = (env: Readonly<Record<string, string | undefined>>, bundledBenchmarks: string, cwd: string): AppConfig => {
  const source = ConfigSource.load({ cwd: "/nonexistent-ml-agents-config", env, configPath: undefined })
  return Effect.runSync(Effect.either(fromSource(source, bundledBenchmarks, cwd, env))).pipe(
    Either.getOrThrowWith((e) => e)
  )
}

/** Reads the configuration files and the environment, then the configuration (see ConfigSource). */
export const load = (
  options: { readonly configPath?: string | undefined; readonly environment?: string | undefined },
  bundledBenchmarks: string,
  cwd: string = process.cwd()
): Effect.Effect<AppConfig, ConfigSource.ConfigInvalid> =>
  Effect.suspend(() => {
    const source = Either.try({
      try: () => ConfigSource.load({ configPath: options.configPath, environment: options.environment, cwd, env: process.env }),
      catch: (e) => e as ConfigSource.ConfigInvalid
    })
    return Either.isLeft(source) ? Effect.fail(source.left) : fromSource(source.right, bundledBenchmarks, cwd)
  })

/** The API key, when one is configured (for the log scrubber). */
export const apiKey = (config: AppConfig): string | null =>
  Option.match(config.openrouter, { onNone: () => null, onSome: (o) => Redacted.value(o.apiKey) })
