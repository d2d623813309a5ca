/**
 * Configuration from the environment: defaults, and bad values failing with a ConfigError that
 * names the variable.
 */
import { assert, describe, it } from "@effect/vitest"
import { ConfigError, ConfigProvider, Effect, Redacted } from "effect"
import { OpenRouterClient } from "../src/index.js"

const read = (env: Record<string, string>) =>
  Effect.withConfigProvider(OpenRouterClient.config, ConfigProvider.fromMap(new Map(Object.entries(env))))

describe("OpenRouterClient.config", () => {
  it.effect("defaults everything but the key", () =>
    Effect.gen(function*() {
      const options = yield* read({ OPENROUTER_API_KEY: "sk-or-v1-secret" })
      assert.strictEqual(Redacted.value(options.apiKey), "sk-or-v1-secret")
      assert.strictEqual(options.baseURL, "https://openrouter.ai/api/v1")
      assert.strictEqual(options.timeoutMs, 60_000)
      assert.strictEqual(options.maxRetries, 3)
      assert.strictEqual(options.appName, "ML-Agents-v2")
      assert.isUndefined(options.appUrl)
      assert.isUndefined(options.dataCollection)
      assert.notInclude(String(options.apiKey), "secret")
    }))

  it.effect("reads every variable", () =>
    Effect.gen(function*() {
      const options = yield* read({
        OPENROUTER_API_KEY: "k-1234",
        OPENROUTER_BASE_URL: "http://127.0.0.1:11434/v1",
        OPENROUTER_TIMEOUT: "2.5",
        OPENROUTER_MAX_RETRIES: "0",
        APP_NAME: "Bench",
        APP_URL: "https://example.org",
        OPENROUTER_DATA_COLLECTION: "deny"
      })
      assert.strictEqual(options.baseURL, "http://127.0.0.1:11434/v1")
      assert.strictEqual(options.timeoutMs, 2500)
      assert.strictEqual(options.maxRetries, 0)
      assert.strictEqual(options.appName, "Bench")
      assert.strictEqual(options.appUrl, "https://example.org")
      assert.strictEqual(options.dataCollection, "deny")
    }))

  it.effect("blank optional variables keep their defaults", () =>
    Effect.gen(function*() {
      const options = yield* read({ OPENROUTER_API_KEY: "k-1234", APP_URL: "", OPENROUTER_TIMEOUT: " " })
      assert.isUndefined(options.appUrl)
      assert.strictEqual(options.timeoutMs, 60_000)
    }))

  const bad: ReadonlyArray<readonly [string, string]> = [
    ["OPENROUTER_TIMEOUT", "0"],
    ["OPENROUTER_TIMEOUT", "-5"],
    ["OPENROUTER_TIMEOUT", "soon"],
    ["OPENROUTER_MAX_RETRIES", "11"],
    ["OPENROUTER_MAX_RETRIES", "1.5"],
    ["OPENROUTER_MAX_RETRIES", "-1"],
    ["OPENROUTER_BASE_URL", "openrouter.ai"],
    ["APP_URL", "ftp://example.org"],
    ["APP_NAME", "Bench 🚀"],
    ["OPENROUTER_DATA_COLLECTION", "never"]
  ]
  for (const [name, value] of bad) {
    it.effect(`${name}=${JSON.stringify(value)} fails naming ${name}`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(read({ OPENROUTER_API_KEY: "k-1234", [name]: value }))
        assert.isTrue(ConfigError.isInvalidData(error), String(error))
        assert.include(String(error), name)
      }))
  }

  it.effect("a missing or empty key fails naming OPENROUTER_API_KEY", () =>
    Effect.gen(function*() {
      assert.include(String(yield* Effect.flip(read({}))), "OPENROUTER_API_KEY")
      assert.include(String(yield* Effect.flip(read({ OPENROUTER_API_KEY: "  " }))), "OPENROUTER_API_KEY")
    }))

  it.effect("layerConfig fails to build on bad config", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Effect.scoped(OpenRouterClient.layerConfig().pipe(
          (layer) => Effect.withConfigProvider(
            Effect.asVoid(Effect.provide(Effect.void, layer)),
            ConfigProvider.fromMap(new Map([["OPENROUTER_API_KEY", "k-1234"], ["OPENROUTER_MAX_RETRIES", "many"]]))
          )
        ))
      )
      assert.include(String(error), "OPENROUTER_MAX_RETRIES")
    }))
})
