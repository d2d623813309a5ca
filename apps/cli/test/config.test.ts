/**
 * Configuration: .env parsing, validation of every variable with a message naming it, and the
 * global flags accepted anywhere on the command line.
 */
import { Redacted } from "effect"
import { describe, expect, it } from "vitest"
import * as AppConfig from "../src/AppConfig.js"
import * as DotEnv from "../src/DotEnv.js"
import { splitGlobalFlags } from "../src/Main.js"

const load = (env: Record<string, string>) => AppConfig.fromEnv(env, null, "/bundled", "/work")
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
    const config = load({})
    expect(config.databaseUrl).toBe("sqlite:///ml_agents.db")
    expect(config.openrouter.baseUrl).toBe("https://openrouter.ai/api/v1")
    expect(config.openrouter.timeoutSeconds).toBe(60)
    expect(config.openrouter.maxRetries).toBe(3)
    expect(config.openrouter.apiKey).toBeNull()
    expect(config.concurrency).toBe(1)
    expect(config.agentDefaults.tot).toMatchObject({ tree_depth: 3, branches_per_step: 4, max_evaluations: 20 })
    expect(config.benchmarkDirs).toEqual(["/work/benchmarks", "/bundled"])
  })

  it("keeps the key redacted", () => {
    const config = load({ OPENROUTER_API_KEY: "sk-or-v1-secret" })
    expect(String(config.openrouter.apiKey)).not.toContain("secret")
    expect(JSON.stringify(config.openrouter)).not.toContain("secret")
    expect(Redacted.value(config.openrouter.apiKey!)).toBe("sk-or-v1-secret")
  })

  it.each([
    [{ OPENROUTER_TIMEOUT: "abc" }, "OPENROUTER_TIMEOUT: expected a number from 1 to 3600 (seconds), got 'abc'"],
    [{ OPENROUTER_TIMEOUT: "0" }, "OPENROUTER_TIMEOUT"],
    [{ OPENROUTER_MAX_RETRIES: "2.5" }, "OPENROUTER_MAX_RETRIES: expected a whole number"],
    [{ OPENROUTER_BASE_URL: "openrouter.ai" }, "OPENROUTER_BASE_URL: expected an http(s) URL"],
    [{ OPENROUTER_DATA_COLLECTION: "maybe" }, "OPENROUTER_DATA_COLLECTION: expected allow or deny"],
    [{ DATABASE_ECHO: "sometimes" }, "DATABASE_ECHO: expected true or false"],
    [{ DEBUG_MODE: "2" }, "DEBUG_MODE"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL: expected DEBUG, INFO, WARNING, ERROR or NONE"],
    [{ QUESTION_TIMEOUT: "-1" }, "QUESTION_TIMEOUT"],
    [{ MAX_CONCURRENT_EVALUATIONS: "0" }, "MAX_CONCURRENT_EVALUATIONS"],
    [{ TOT_AGENT_DEFAULTS: "[1,2]" }, "TOT_AGENT_DEFAULTS: expected a JSON object"],
    [{ NONE_AGENT_DEFAULTS: "{oops}" }, "NONE_AGENT_DEFAULTS: not valid JSON"],
    [{ APP_URL: "ftp://x" }, "APP_URL"]
  ])("rejects %o", (env, expected) => {
    expect(problem(env)).toContain(expected)
  })

  it("never echoes the API key's value in an error", () => {
    expect(() => load({ OPENROUTER_API_KEY: "sk-secret", OPENROUTER_TIMEOUT: "x" })).toThrow(/OPENROUTER_TIMEOUT/)
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
