/**
 * The error-mapping table: each HTTP status, Retry-After forms, timeouts, connection errors,
 * malformed bodies and key scrubbing, using the SDK's own error classes.
 */
import { assert, describe, it } from "@effect/vitest"
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, OpenAIError } from "openai"
import { ErrorMapping } from "../src/index.js"

const KEY = "sk-or-v1-0123456789abcdef0123456789abcdef"
const context = { baseURL: "https://openrouter.ai/api/v1", secrets: [KEY], now: Date.parse("2025-01-01T00:00:00Z") }

/** An SDK error as the SDK builds it from an HTTP response with OpenRouter's error body. */
const httpError = (status: number, message?: string, headers: Record<string, string> = {}, metadata?: unknown) =>
  APIError.generate(
    status,
    message === undefined ? undefined : { error: { code: status, message, ...(metadata === undefined ? {} : { metadata }) } },
    undefined,
    new Headers(headers)
  )

describe("ErrorMapping.toLlmError: HTTP statuses", () => {
  const table: ReadonlyArray<readonly [number, string, boolean]> = [
    [400, "bad_request", false],
    [401, "authentication_error", false],
    [402, "credit_limit_exceeded", false],
    [403, "authentication_error", false],
    [404, "bad_request", false],
    [408, "network_timeout", true],
    [409, "unknown", true],
    [418, "bad_request", false],
    [422, "bad_request", false],
    [429, "rate_limit_exceeded", true],
    [500, "unknown", true],
    [502, "unknown", true],
    [503, "unknown", true],
    [504, "network_timeout", true],
    [520, "unknown", true],
    [522, "network_timeout", true],
    [524, "network_timeout", true]
  ]
  for (const [status, category, recoverable] of table) {
    it(`${status} → ${category}${recoverable ? " (recoverable)" : ""}`, () => {
      const error = ErrorMapping.toLlmError(httpError(status, "upstream said no"), context)
      assert.strictEqual(error._tag, "LlmError")
      assert.strictEqual(error.category, category)
      assert.strictEqual(error.recoverable, recoverable)
      assert.strictEqual(error.status, status)
      assert.include(error.message, "upstream said no")
    })
  }

  it("401 tells the user to check OPENROUTER_API_KEY", () => {
    const error = ErrorMapping.toLlmError(httpError(401, "User not found."), context)
    assert.include(error.message, "OPENROUTER_API_KEY")
    assert.include(error.message, "User not found.")
  })

  it("402 tells the user to add credits", () => {
    const error = ErrorMapping.toLlmError(httpError(402, "Insufficient credits"), context)
    assert.match(error.message, /add credits/i)
  })

  it("403 with moderation metadata is a content guardrail, not an authentication error", () => {
    const error = ErrorMapping.toLlmError(
      httpError(403, "Your chosen model requires moderation and your input was flagged", {}, {
        reasons: ["violence"],
        flagged_input: "…",
        provider_name: "OpenAI"
      }),
      context
    )
    assert.strictEqual(error.category, "content_guardrail")
    assert.strictEqual(error.recoverable, false)
    assert.include(error.message, "OpenAI")
  })

  it("400 about the context length is token_limit_exceeded", () => {
    const error = ErrorMapping.toLlmError(
      httpError(400, "This endpoint's maximum context length is 8192 tokens. However, you requested about 9000 tokens"),
      context
    )
    assert.strictEqual(error.category, "token_limit_exceeded")
    assert.strictEqual(error.recoverable, false)
  })

  it("404 names the base URL and hints at the model id", () => {
    const error = ErrorMapping.toLlmError(httpError(404, "No endpoints found for nope/model"), context)
    assert.include(error.message, context.baseURL)
    assert.include(error.message, "model id")
  })

  it("an error without a JSON body keeps the text body, or says nothing", () => {
    const text = APIError.generate(502, undefined, "<html>Bad Gateway</html>", new Headers())
    assert.include(ErrorMapping.toLlmError(text, context).message, "Bad Gateway")
    const none = APIError.generate(500, undefined, undefined, new Headers())
    assert.notInclude(ErrorMapping.toLlmError(none, context).message, "no body")
    assert.strictEqual(ErrorMapping.toLlmError(none, context).category, "unknown")
  })

  it("a non-OpenRouter error body (OpenAI's shape) still yields its message", () => {
    const error = APIError.generate(
      400,
      { error: { message: "Invalid value for 'temperature'", type: "invalid_request_error" } },
      undefined,
      new Headers()
    )
    assert.include(ErrorMapping.toLlmError(error, context).message, "Invalid value for 'temperature'")
  })

  it("long bodies are truncated", () => {
    const error = ErrorMapping.toLlmError(httpError(500, "x".repeat(5000)), context)
    assert.isBelow(error.message.length, 500)
  })
})

describe("ErrorMapping.retryAfterMs", () => {
  const now = context.now
  it("429 carries Retry-After in seconds", () => {
    const error = ErrorMapping.toLlmError(httpError(429, "slow down", { "retry-after": "7" }), context)
    assert.strictEqual(error.retryAfterMs, 7000)
  })
  it("fractional seconds", () => {
    assert.strictEqual(ErrorMapping.retryAfterMs(new Headers({ "retry-after": "1.5" }), now), 1500)
  })
  it("an HTTP date, relative to now", () => {
    const date = new Date(now + 12_000).toUTCString()
    assert.strictEqual(ErrorMapping.retryAfterMs(new Headers({ "retry-after": date }), now), 12_000)
  })
  it("a date in the past is 0", () => {
    const date = new Date(now - 60_000).toUTCString()
    assert.strictEqual(ErrorMapping.retryAfterMs(new Headers({ "retry-after": date }), now), 0)
  })
  it("retry-after-ms wins over Retry-After", () => {
    assert.strictEqual(ErrorMapping.retryAfterMs(new Headers({ "retry-after-ms": "250", "retry-after": "9" }), now), 250)
  })
  it("OpenRouter's X-RateLimit-Reset (epoch ms) when nothing else is given", () => {
    assert.strictEqual(ErrorMapping.retryAfterMs(new Headers({ "x-ratelimit-reset": String(now + 3000) }), now), 3000)
  })
  it("garbage and absence give undefined", () => {
    assert.isUndefined(ErrorMapping.retryAfterMs(new Headers({ "retry-after": "soon" }), now))
    assert.isUndefined(ErrorMapping.retryAfterMs(new Headers({ "retry-after": "-3" }), now))
    assert.isUndefined(ErrorMapping.retryAfterMs(new Headers(), now))
    assert.isUndefined(ErrorMapping.toLlmError(httpError(429, "slow down"), context).retryAfterMs)
  })
})

describe("ErrorMapping.toLlmError: transport and parsing", () => {
  it("a timeout is a recoverable network_timeout", () => {
    const error = ErrorMapping.toLlmError(new APIConnectionTimeoutError(), context)
    assert.strictEqual(error.category, "network_timeout")
    assert.strictEqual(error.recoverable, true)
    assert.include(error.message, "timed out")
  })

  it("connection refused names the base URL and the code", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" })
    const cause = new TypeError("fetch failed", { cause: refused })
    const error = ErrorMapping.toLlmError(new APIConnectionError({ cause }), { ...context, baseURL: "http://127.0.0.1:9/v1" })
    assert.strictEqual(error.category, "network_timeout")
    assert.strictEqual(error.recoverable, true)
    assert.include(error.message, "http://127.0.0.1:9/v1")
    assert.include(error.message, "ECONNREFUSED")
    assert.isUndefined(error.status)
  })

  it("finds the code inside an AggregateError (one error per address), else names the root cause", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED ::1:8080"), { code: "ECONNREFUSED" })
    const aggregate = new TypeError("fetch failed", { cause: new AggregateError([refused, refused]) })
    assert.include(ErrorMapping.toLlmError(new APIConnectionError({ cause: aggregate }), context).message, "ECONNREFUSED")
    const badPort = new TypeError("fetch failed", { cause: new Error("bad port") })
    assert.include(ErrorMapping.toLlmError(new APIConnectionError({ cause: badPort }), context).message, "bad port")
  })

  it("a body cut off mid-read (undici 'terminated') is a recoverable network failure", () => {
    const reset = Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" })
    const error = ErrorMapping.toLlmError(new TypeError("terminated", { cause: reset }), context)
    assert.strictEqual(error.category, "network_timeout")
    assert.strictEqual(error.recoverable, true)
  })

  it("a 200 whose body is not JSON (SyntaxError from the SDK) is a parsing_error", () => {
    const error = ErrorMapping.toLlmError(new SyntaxError("Unexpected end of JSON input"), context)
    assert.strictEqual(error.category, "parsing_error")
    assert.strictEqual(error.recoverable, false)
  })

  it("an abort maps to a recoverable error (the client turns it into an interruption first)", () => {
    assert.strictEqual(ErrorMapping.toLlmError(new APIUserAbortError(), context).category, "network_timeout")
  })

  it("other SDK and unexpected errors are unknown and not retried", () => {
    const sdk = ErrorMapping.toLlmError(new OpenAIError("timeout must be an integer"), context)
    assert.strictEqual(sdk.category, "unknown")
    assert.strictEqual(sdk.recoverable, false)
    assert.strictEqual(ErrorMapping.toLlmError("boom", context).category, "unknown")
  })

  it("an LlmError passes through unchanged", () => {
    const original = ErrorMapping.toLlmError(httpError(402, "no money"), context)
    assert.strictEqual(ErrorMapping.toLlmError(original, context), original)
  })
})

describe("ErrorMapping.fromBodyError (an error inside an HTTP 200)", () => {
  it("uses the code as the status it describes", () => {
    const error = ErrorMapping.fromBodyError({ code: 502, message: "Provider returned error", metadata: { provider_name: "Foo" } }, context)
    assert.strictEqual(error.category, "unknown")
    assert.strictEqual(error.recoverable, true)
    assert.strictEqual(error.status, 502)
    assert.include(error.message, "Foo")
  })
  it("a 429 described in the body is a rate limit", () => {
    assert.strictEqual(ErrorMapping.fromBodyError({ code: "429", message: "slow" }, context).category, "rate_limit_exceeded")
  })
  it("a non-numeric code is a recoverable unknown error that keeps the message", () => {
    const error = ErrorMapping.fromBodyError({ code: "server_error", message: "model crashed" }, context)
    assert.strictEqual(error.category, "unknown")
    assert.strictEqual(error.recoverable, true)
    assert.include(error.message, "model crashed")
  })
})

describe("ErrorMapping: the API key never appears in messages", () => {
  it("a server echoing the key is scrubbed", () => {
    const error = ErrorMapping.toLlmError(httpError(401, `Invalid key ${KEY} for this account`), context)
    assert.notInclude(error.message, KEY)
    assert.include(error.message, "***")
    assert.include(error.message, "OPENROUTER_API_KEY")
  })
  it("scrubs a custom key, bearer tokens and OpenRouter-looking keys it was not told about", () => {
    const text = ErrorMapping.scrubSecrets("k=my-local-key auth=Bearer abc.def other=sk-or-v1-ffffffffffffffff", ["my-local-key"])
    assert.notInclude(text, "my-local-key")
    assert.notInclude(text, "abc.def")
    assert.notInclude(text, "sk-or-v1-ffff")
  })
  it("body errors are scrubbed too", () => {
    const error = ErrorMapping.fromBodyError({ code: 500, message: `leaked ${KEY}` }, context)
    assert.notInclude(error.message, KEY)
  })
})
