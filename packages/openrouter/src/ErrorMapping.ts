/**
 * Maps whatever the `openai` SDK (or the server behind it) throws or returns as an error to the
 * domain's `LlmError`, at the adapter's edge: nothing above this package sees an SDK type.
 * Pure: the only inputs are the cause and an explicit context (base URL, secrets, clock).
 */
import { LlmClient } from "@ml-agents/core"
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  OpenAIError
} from "openai"

type FailureCategory = LlmClient.LlmError["category"]

/** What the mapper knows about the failed call; every field is optional. */
export interface ErrorContext {
  /** The base URL the call went to, named in connection and not-found messages. */
  readonly baseURL?: string | undefined
  /** Strings that must never appear in a message (the API key); each is replaced by `***`. */
  readonly secrets?: ReadonlyArray<string> | undefined
  /** Current time in epoch milliseconds, for `Retry-After` given as an HTTP date. */
  readonly now?: number | undefined
}

const API_KEY_HINT = "Check OPENROUTER_API_KEY"
const MAX_DETAIL_LENGTH = 300

/** Replaces every occurrence of the given secrets, bearer tokens and OpenRouter-style keys with `***`. */
export const scrubSecrets = (text: string, secrets: ReadonlyArray<string> = []): string => {
  let out = text
  for (const secret of secrets) {
    // Very short "secrets" (a dummy key for a local server) would mangle ordinary words.
    if (secret.length >= 4) out = out.split(secret).join("***")
  }
  return out
    .replace(/Bearer\s+[^\s"',;]+/gi, "Bearer ***")
    .replace(/\bsk-or-[A-Za-z0-9_-]{8,}/g, "***")
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const parseNonNegative = (raw: string | null | undefined): number | undefined => {
  if (raw === null || raw === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(raw)) return undefined
  const n = Number(raw)
  return Number.isFinite(n) && n >= 0 ? n : undefined
}

/**
 * Milliseconds the server asked to wait, from `retry-after-ms`, `Retry-After` (seconds or an
 * HTTP date) or OpenRouter's `X-RateLimit-Reset` (epoch milliseconds); undefined when none parse.
 */
export const retryAfterMs = (
  headers: { readonly get: (name: string) => string | null } | undefined,
  now: number = Date.now()
): number | undefined => {
  if (headers === undefined) return undefined
  const ms = parseNonNegative(headers.get("retry-after-ms"))
  if (ms !== undefined) return Math.round(ms)
  const retryAfter = headers.get("retry-after")
  if (retryAfter !== null) {
    const seconds = parseNonNegative(retryAfter)
    if (seconds !== undefined) return Math.round(seconds * 1000)
    // Only an HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT"); Date.parse accepts far too much else.
    const date = /[a-z]{3}/i.test(retryAfter) ? Date.parse(retryAfter) : Number.NaN
    if (!Number.isNaN(date)) return Math.max(0, date - now)
  }
  // OpenRouter's rate-limit headers give the reset instant in epoch milliseconds.
  const reset = parseNonNegative(headers.get("x-ratelimit-reset"))
  if (reset !== undefined && reset > 1e12) return Math.max(0, Math.round(reset - now))
  return undefined
}

const truncate = (text: string): string =>
  text.length > MAX_DETAIL_LENGTH ? `${text.slice(0, MAX_DETAIL_LENGTH)}…` : text

/** The human text of an error body: OpenRouter's `{ message }`, else a string body, else nothing. */
const detailOf = (body: unknown, fallback: string | undefined): string | undefined => {
  if (isRecord(body)) {
    const message = body["message"]
    if (typeof message === "string" && message.trim() !== "") return message.trim()
    if (message !== undefined && message !== null) return JSON.stringify(message)
  }
  if (typeof body === "string" && body.trim() !== "") return body.trim()
  if (fallback !== undefined && fallback.trim() !== "" && !/status code \(no body\)$/.test(fallback)) {
    return fallback.trim()
  }
  return undefined
}

const providerOf = (body: unknown): string | undefined => {
  const metadata = isRecord(body) ? body["metadata"] : undefined
  const name = isRecord(metadata) ? metadata["provider_name"] : undefined
  return typeof name === "string" && name !== "" ? name : undefined
}

const isModerationBody = (body: unknown, detail: string | undefined): boolean => {
  const metadata = isRecord(body) ? body["metadata"] : undefined
  if (isRecord(metadata) && ("reasons" in metadata || "flagged_input" in metadata)) return true
  return detail !== undefined && /moderation|flagged|guardrail|content policy/i.test(detail)
}

const TOKEN_LIMIT = /context[ _-]?(length|window)|maximum context|too many (input )?tokens|prompt is too long|reduce the length/i

interface Draft {
  readonly category: FailureCategory
  readonly message: string
  readonly recoverable: boolean
  readonly status?: number | undefined
  readonly retryAfterMs?: number | undefined
}

const finish = (draft: Draft, context: ErrorContext): LlmClient.LlmError =>
  new LlmClient.LlmError({
    category: draft.category,
    message: scrubSecrets(draft.message, context.secrets),
    recoverable: draft.recoverable,
    ...(draft.status === undefined ? {} : { status: draft.status }),
    ...(draft.retryAfterMs === undefined ? {} : { retryAfterMs: draft.retryAfterMs })
  })

const where = (context: ErrorContext): string => context.baseURL ?? "the model server"

const withDetail = (lead: string, detail: string | undefined): string =>
  detail === undefined ? lead : `${lead}: ${truncate(detail)}`

/**
 * The LlmError for an HTTP status with its error body (OpenRouter's `{ code, message, metadata }`
 * or any other shape) and response headers; also used for errors reported inside an HTTP 200.
 */
export const fromStatus = (
  status: number,
  body: unknown,
  headers: { readonly get: (name: string) => string | null } | undefined,
  context: ErrorContext = {},
  fallbackText?: string
): LlmClient.LlmError => {
  const detail = detailOf(body, fallbackText)
  const provider = providerOf(body)
  const retryAfter = retryAfterMs(headers, context.now ?? Date.now())
  const http = `HTTP ${status}`
  const base = { status, ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }) }
  const draft = (category: FailureCategory, recoverable: boolean, message: string): Draft => ({
    ...base,
    category,
    recoverable,
    message
  })

  if (status === 400 || status === 413 || status === 422) {
    if (detail !== undefined && TOKEN_LIMIT.test(detail)) {
      return finish(draft("token_limit_exceeded", false, withDetail(`The request exceeds the model's token limit (${http})`, detail)), context)
    }
    return finish(draft("bad_request", false, withDetail(`Bad request (${http})`, detail)), context)
  }
  if (status === 401) {
    return finish(
      draft("authentication_error", false, `${withDetail(`Authentication failed (${http})`, detail)}. ${API_KEY_HINT}.`),
      context
    )
  }
  if (status === 403) {
    if (isModerationBody(body, detail)) {
      const by = provider === undefined ? "" : ` by ${provider}`
      return finish(draft("content_guardrail", false, withDetail(`The input was flagged by moderation${by} (${http})`, detail)), context)
    }
    return finish(
      draft("authentication_error", false, `${withDetail(`Access denied (${http})`, detail)}. ${API_KEY_HINT} and its permissions.`),
      context
    )
  }
  if (status === 402) {
    return finish(
      draft(
        "credit_limit_exceeded",
        false,
        `${withDetail(`Insufficient credits (${http})`, detail)}. Add credits to the account (or raise the key's limit) and run again.`
      ),
      context
    )
  }
  if (status === 404) {
    return finish(
      draft("bad_request", false, withDetail(`Not found at ${where(context)} (${http}): check the model id and the base URL`, detail)),
      context
    )
  }
  if (status === 408) {
    return finish(draft("network_timeout", true, withDetail(`The request timed out at ${where(context)} (${http})`, detail)), context)
  }
  if (status === 429) {
    return finish(draft("rate_limit_exceeded", true, withDetail(`Rate limited (${http})`, detail)), context)
  }
  if (status === 504 || status === 522 || status === 524) {
    return finish(draft("network_timeout", true, withDetail(`The upstream timed out (${http})`, detail)), context)
  }
  if (status === 502) {
    const by = provider === undefined ? "" : ` (${provider})`
    return finish(draft("unknown", true, withDetail(`The model's provider${by} is down or sent an invalid response (${http})`, detail)), context)
  }
  if (status === 503) {
    return finish(draft("unknown", true, withDetail(`No provider is available for this model and routing (${http})`, detail)), context)
  }
  if (status >= 500) {
    return finish(draft("unknown", true, withDetail(`Server error (${http})`, detail)), context)
  }
  if (status === 409) {
    return finish(draft("unknown", true, withDetail(`Conflict (${http})`, detail)), context)
  }
  if (status >= 400) {
    return finish(draft("bad_request", false, withDetail(`Request rejected (${http})`, detail)), context)
  }
  return finish(draft("unknown", false, withDetail(`Unexpected response (${http})`, detail)), context)
}

/**
 * The LlmError for an `error` object found in the body of a successful HTTP response (OpenRouter
 * reports provider failures that happen after generation started this way).
 */
export const fromBodyError = (error: unknown, context: ErrorContext = {}): LlmClient.LlmError => {
  const code = isRecord(error) ? error["code"] : undefined
  const status = typeof code === "number" ? code : typeof code === "string" && /^\d{3}$/.test(code) ? Number(code) : undefined
  if (status !== undefined && status >= 400 && status < 600) return fromStatus(status, error, undefined, context)
  const detail = detailOf(error, undefined)
  const codeText = typeof code === "string" && code !== "" ? ` (${code})` : ""
  return finish(
    { category: "unknown", recoverable: true, message: withDetail(`The provider reported an error during generation${codeText}`, detail) },
    context
  )
}

const NETWORK_CODES = /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|UND_ERR_\w+)$/

/** The first system error code (`ECONNREFUSED`, `UND_ERR_SOCKET`, …) along an error's cause chain. */
const networkCode = (cause: unknown, depth = 0): string | undefined => {
  if (depth > 8 || !isRecord(cause)) return undefined
  const code = cause["code"]
  if (typeof code === "string" && NETWORK_CODES.test(code)) return code
  // Happy-eyeballs connects fail with an AggregateError of one error per address.
  const errors = cause["errors"]
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const found = networkCode(inner, depth + 1)
      if (found !== undefined) return found
    }
  }
  return networkCode(cause["cause"], depth + 1)
}

/** The innermost message along an error's cause chain ("bad port", "getaddrinfo ENOTFOUND …"). */
const rootMessage = (cause: unknown): string | undefined => {
  let current: unknown = cause
  let message: string | undefined
  for (let depth = 0; depth < 8 && isRecord(current); depth++) {
    if (typeof current["message"] === "string" && current["message"] !== "") message = current["message"]
    current = current["cause"]
  }
  return message
}

/** Maps anything thrown by an SDK call (or a body-level error) to an LlmError; never throws. */
export const toLlmError = (cause: unknown, context: ErrorContext = {}): LlmClient.LlmError => {
  if (cause instanceof LlmClient.LlmError) return cause
  if (cause instanceof APIUserAbortError) {
    return finish({ category: "network_timeout", recoverable: true, message: `The request to ${where(context)} was aborted` }, context)
  }
  if (cause instanceof APIConnectionTimeoutError) {
    return finish({ category: "network_timeout", recoverable: true, message: `The request to ${where(context)} timed out` }, context)
  }
  if (cause instanceof APIConnectionError) {
    const code = networkCode(cause)
    const root = rootMessage(cause)
    const reason = code !== undefined ? ` (${code})` : root !== undefined && root !== cause.message ? ` (${truncate(root)})` : ""
    return finish(
      {
        category: "network_timeout",
        recoverable: true,
        message: `Could not reach ${where(context)}${reason}: check OPENROUTER_BASE_URL and the network`
      },
      context
    )
  }
  if (cause instanceof APIError && typeof cause.status === "number") {
    return fromStatus(cause.status, cause.error, cause.headers, context, cause.message.replace(/^\d{3}\s*/, ""))
  }
  if (cause instanceof SyntaxError) {
    return finish({ category: "parsing_error", recoverable: false, message: `Malformed reply from ${where(context)}: the body is not valid JSON` }, context)
  }
  if (isRecord(cause) && "error" in cause && !(cause instanceof Error)) return fromBodyError(cause["error"], context)
  const code = networkCode(cause)
  if (code !== undefined || (cause instanceof TypeError && /terminated|socket|fetch failed/i.test(cause.message))) {
    return finish(
      { category: "network_timeout", recoverable: true, message: `The connection to ${where(context)} failed${code === undefined ? "" : ` (${code})`}` },
      context
    )
  }
  const text = cause instanceof Error ? cause.message : String(cause)
  const kind = cause instanceof OpenAIError ? "Client error" : "Unexpected error"
  return finish({ category: "unknown", recoverable: false, message: withDetail(kind, text) }, context)
}
