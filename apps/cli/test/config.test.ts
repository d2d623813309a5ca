/**
 * Configuration: .env parsing, validation of every variable with a message naming it, and the
 * global flags accepted anywhere on the command line.
 */
import { OpenRouterClient } from "@ml-agents/openrouter"
import { ConfigProvider, Effect, Either, Option, Redacted } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import * as AppConfig from "../src/AppConfig.js"
import * as ConfigSource from "../src/ConfigSource.js"
import * as DotEnv from "../src/DotEnv.js"
import { splitGlobalFlags } from "../src/Main.js"

const load = (env: Record<string, string>) => AppConfig.fromEnv(env, "/bundled", "/work")
const problem = (env: Record<string, string>) => {
  try {
    load(env)
  } catch (e) {
    return (e as AppConfig.ConfigInvalid).message
  }
  throw new Error("expected a configuration error")
}

describe(".env files", () => {
  it("reads comments, export, quotes, escapes, inline comments and unquoted JSON", () => {
    const parsed = DotEnv.parse(
      [
        "# comment",
        "",
        "export A=1",
        "B = two words # trailing comment",
        `C="quoted # not a comment\\nnext"`,
        "D='single $quoted'",
        `COT_AGENT_DEFAULTS={"temperature": 0.8, "max_tokens": 1000}`,
        "EMPTY="
      ].join("\n"),
      ".env"
    )
    expect(parsed).toEqual({
      A: "1",
      B: "two words",
      C: "quoted # not a comment\nnext",
      D: "single $quoted",
      COT_AGENT_DEFAULTS: `{"temperature": 0.8, "max_tokens": 1000}`,
      EMPTY: ""
    })
  })

  it("names the file and line of a syntax error", () => {
    expect(() => DotEnv.parse("A=1\nnot a pair\n", "/x/.env")).toThrow("/x/.env:2: expected KEY=value")
    expect(() => DotEnv.parse(`A="open`, "f")).toThrow("f:1: unterminated double quote in A")
  })
})

describe("AppConfig", () => {
  it("has the documented defaults", () => {
    const config = load({ XDG_DATA_HOME: "/data" })
    expect(config.databaseUrl).toBe("sqlite:////data/ml-agents/ml_agents.db")
    expect(config.databaseUrlSet).toBe(false)
    expect(Option.isNone(config.openrouter)).toBe(true)
    const withKey = Option.getOrThrow(load({ OPENROUTER_API_KEY: "k" }).openrouter)
    expect(withKey.baseURL).toBe("https://openrouter.ai/api/v1")
    expect(withKey.timeoutMs).toBe(60_000)
    expect(withKey.maxRetries).toBe(3)
    expect(config.concurrency).toBe(1)
    expect(config.codeExecConcurrency).toBe(os.availableParallelism())
    expect(config.databasePoolSize).toBe(10)
    expect(load({ DATABASE_POOL_SIZE: "4" }).databasePoolSize).toBe(4)
    expect(problem({ DATABASE_POOL_SIZE: "0" })).toContain("DATABASE_POOL_SIZE")
    expect(load({ CODE_EXEC_CONCURRENCY: "3" }).codeExecConcurrency).toBe(3)
    expect(problem({ CODE_EXEC_CONCURRENCY: "0" })).toContain("CODE_EXEC_CONCURRENCY")
    expect(config.agentDefaults.tot).toMatchObject({ tree_depth: 3, branches_per_step: 4, max_evaluations: 20 })
    expect(config.benchmarkDirs).toEqual(["/work/benchmarks", "/bundled"])
  })

  it("keeps the key redacted", () => {
    const openrouter = Option.getOrThrow(load({ OPENROUTER_API_KEY: "sk-or-v1-secret" }).openrouter)
    expect(String(openrouter.apiKey)).not.toContain("secret")
    expect(JSON.stringify(openrouter)).not.toContain("secret")
    expect(Redacted.value(openrouter.apiKey)).toBe("sk-or-v1-secret")
  })

  it.each([
    [{ OPENROUTER_TIMEOUT: "abc" }, `OPENROUTER_TIMEOUT: must be a positive number of seconds, got "abc"`],
    [{ OPENROUTER_TIMEOUT: "0" }, "OPENROUTER_TIMEOUT"],
    [{ OPENROUTER_MAX_RETRIES: "2.5" }, "OPENROUTER_MAX_RETRIES: must be an integer from 0 to 10"],
    [{ OPENROUTER_BASE_URL: "openrouter.ai" }, "OPENROUTER_BASE_URL: must be an http(s) URL"],
    [{ OPENROUTER_DATA_COLLECTION: "maybe" }, `OPENROUTER_DATA_COLLECTION: must be "allow" or "deny"`],
    [{ DATABASE_ECHO: "sometimes" }, "DATABASE_ECHO: expected true or false"],
    [{ DEBUG_MODE: "2" }, "DEBUG_MODE"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL: expected DEBUG, INFO, WARNING, ERROR or NONE"],
    [{ QUESTION_TIMEOUT: "-1" }, "QUESTION_TIMEOUT"],
    [{ MAX_CONCURRENT_EVALUATIONS: "0" }, "MAX_CONCURRENT_EVALUATIONS"],
    [{ TOT_AGENT_DEFAULTS: "[1,2]" }, "TOT_AGENT_DEFAULTS: expected a JSON object"],
    [{ NONE_AGENT_DEFAULTS: "{oops}" }, "NONE_AGENT_DEFAULTS: not valid JSON"],
    [{ APP_URL: "ftp://x" }, "APP_URL"]
  ])("rejects %o", (env, expected) => {
    // With and without a key: a bad value is an error either way.
    expect(problem(env)).toContain(expected)
    expect(problem({ ...env, OPENROUTER_API_KEY: "k" })).toContain(expected)
  })

  it("reads OPENROUTER_* with the adapter's own Config: the CLI and the adapter agree on every value", () => {
    for (const timeout of ["0.5", "5000", "abc", "-1", "60"]) {
      const env = { OPENROUTER_API_KEY: "k", OPENROUTER_TIMEOUT: timeout }
      const adapter = Effect.runSync(Effect.either(Effect.withConfigProvider(OpenRouterClient.config, ConfigProvider.fromJson(env))))
      const cli = Either.try(() => load(env))
      expect(Either.isRight(cli), timeout).toBe(Either.isRight(adapter))
      if (Either.isRight(cli) && Either.isRight(adapter)) {
        expect(Option.getOrThrow(cli.right.openrouter).timeoutMs).toBe(adapter.right.timeoutMs)
      }
    }
  })

  it("never echoes the API key's value in an error", () => {
    expect(problem({ OPENROUTER_API_KEY: "sk-secret", OPENROUTER_TIMEOUT: "x" })).toMatch(/OPENROUTER_TIMEOUT/)
    expect(problem({ OPENROUTER_API_KEY: "sk-secret", OPENROUTER_TIMEOUT: "x" })).not.toContain("sk-secret")
  })
})

describe("global flags", () => {
  it("are accepted anywhere and removed from the command's arguments", () => {
    const { flags, rest } = splitGlobalFlags(["evaluate", "run", "eval_1", "--verbose", "--config", "x.env", "--quiet"])
    expect(flags).toMatchObject({ verbose: true, quiet: true, configPath: "x.env" })
    expect(rest).toEqual(["evaluate", "run", "eval_1"])
    expect(splitGlobalFlags(["-v"]).flags.version).toBe(true)
    expect(splitGlobalFlags(["--config=a.env", "health"]).flags.configPath).toBe("a.env")
    expect(() => splitGlobalFlags(["health", "--config"])).toThrow("--config")
  })
})

describe("configuration sources", () => {
  const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), "ml-agents-config-"))
  const write = (d: string, name: string, text: string) => fs.writeFileSync(path.join(d, name), text)
  const load = (d: string, env: Record<string, string>, environment?: string) =>
    Effect.runSync(Effect.either(AppConfig.fromSource(ConfigSource.load({ cwd: d, env, environment }), "/bundled", d, env)))

  it("ML_AGENTS_ENV=production reads .env.production over .env, and real variables over both", () => {
    const d = dir()
    write(d, ".env", "QUESTION_TIMEOUT=10\nMAX_CONCURRENT_EVALUATIONS=2\nDATABASE_ECHO=true\n")
    write(d, ".env.production", "# production\nQUESTION_TIMEOUT=20\nMAX_CONCURRENT_EVALUATIONS=4\n")
    const plain = Either.getOrThrow(load(d, {}))
    expect([plain.questionTimeoutSeconds, plain.concurrency]).toEqual([10, 2])
    expect(plain.source.files.filter((f) => f.read).map((f) => path.basename(f.file))).toEqual([".env"])
    const production = Either.getOrThrow(load(d, { ML_AGENTS_ENV: "production", MAX_CONCURRENT_EVALUATIONS: "8" }))
    expect([production.questionTimeoutSeconds, production.concurrency, production.databaseEcho]).toEqual([20, 8, true])
    expect(production.source.files.map((f) => path.basename(f.file))).toEqual([".env", ".env.production"])
    expect(production.source.origin("QUESTION_TIMEOUT")).toBe(`${path.join(d, ".env.production")}:2`)
    expect(production.source.origin("MAX_CONCURRENT_EVALUATIONS")).toBe("the environment")
    // --env names it too, and wins over ML_AGENTS_ENV.
    write(d, ".env.staging", "QUESTION_TIMEOUT=30\n")
    expect(Either.getOrThrow(load(d, { ML_AGENTS_ENV: "production" }, "staging")).questionTimeoutSeconds).toBe(30)
  })

  it("a bad value is reported with the variable, the file and the line", () => {
    const d = dir()
    write(d, ".env", "A=1\n\nOPENROUTER_API_KEY=k\nOPENROUTER_TIMEOUT=soon\n")
    const failed = load(d, {})
    expect(Either.isLeft(failed)).toBe(true)
    if (Either.isLeft(failed)) {
      expect(failed.left.message).toBe(`OPENROUTER_TIMEOUT: must be a positive number of seconds, got "soon" (set in ${path.join(d, ".env")}:4)`)
    }
    write(d, ".env.production", "QUESTION_TIMEOUT=never\n")
    const fromProduction = load(d, { ML_AGENTS_ENV: "production", OPENROUTER_TIMEOUT: "5" })
    expect(Either.isLeft(fromProduction) && fromProduction.left.message).toContain(`(set in ${path.join(d, ".env.production")}:1)`)
  })
})
