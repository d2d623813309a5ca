/**
 * The wire format: core requests to OpenAI-compatible request bodies, and raw JSON replies
 * (OpenRouter's, or any OpenAI-compatible server's, whose OpenRouter-only fields are absent)
 * to core responses. Pure, and tolerant of missing fields; a reply that cannot be a chat
 * completion is a `parsing_error`.
 * @internal
 */
import { LlmClient, Usage } from "@ml-agents/core"
import { Either } from "effect"
import { type ErrorContext, fromBodyError, scrubSecrets } from "../ErrorMapping.js"

type LlmError = LlmClient.LlmError
type ChatResponse = LlmClient.ChatResponse

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const finiteNumber = (u: unknown): number | null => (typeof u === "number" && Number.isFinite(u) ? u : null)

const count = (u: unknown): number | null => {
  const n = finiteNumber(u)
  return n === null || n < 0 ? null : Math.round(n)
}

/** OpenRouter-only request fields, sent when enabled. */
export interface RequestExtras {
  /** Send `usage: { include: true }` and `provider`; off for servers that reject unknown fields. */
  readonly openRouterFields: boolean
  /** The `provider` routing object, omitted when empty. */
  readonly provider: Readonly<Record<string, unknown>>
}

/** The JSON body of a chat completion request. */
export const toRequestBody = (request: LlmClient.ChatRequest, extras: RequestExtras): Record<string, unknown> => {
  const body: Record<string, unknown> = {
    model: request.model,
    messages: request.messages.map((m) => ({ role: m.role, content: m.content }))
  }
  if (request.temperature !== undefined) body["temperature"] = request.temperature
  if (request.maxTokens !== undefined) body["max_tokens"] = request.maxTokens
  if (request.topP !== undefined) body["top_p"] = request.topP
  if (request.stop !== undefined && request.stop.length > 0) body["stop"] = [...request.stop]
  const format = request.responseFormat
  if (format !== undefined) {
    body["response_format"] = format.type === "json_schema"
      ? { type: "json_schema", json_schema: { name: format.name, schema: format.schema, strict: true } }
      : { type: "json_object" }
  }
  if (extras.openRouterFields) {
    body["usage"] = { include: true }
    if (Object.keys(extras.provider).length > 0) body["provider"] = { ...extras.provider }
  }
  return body
}

const parsingError = (what: string, context: ErrorContext): LlmError =>
  new LlmClient.LlmError({
    category: "parsing_error",
    message: scrubSecrets(`Malformed reply from ${context.baseURL ?? "the model server"}: ${what}`, context.secrets),
    recoverable: false
  })

const describe = (raw: unknown): string =>
  raw === undefined || raw === null
    ? "the body is empty"
    : typeof raw === "string"
    ? "the body is not JSON"
    : Array.isArray(raw)
    ? "the body is a JSON array"
    : `the body is a JSON ${typeof raw}`

/** Token usage from an OpenAI-style `usage` object; missing counts are 0. */
export const toUsage = (raw: unknown): Usage.TokenUsage => {
  const usage = isRecord(raw) ? raw : {}
  const prompt = count(usage["prompt_tokens"]) ?? 0
  const completion = count(usage["completion_tokens"]) ?? 0
  const details = usage["completion_tokens_details"]
  const reasoning = isRecord(details) ? count(details["reasoning_tokens"]) ?? 0 : 0
  const total = count(usage["total_tokens"]) ?? prompt + completion
  // Counts are non-negative integers by construction (`count`): no need to validate them again.
  return new Usage.TokenUsage({ promptTokens: prompt, completionTokens: completion, reasoningTokens: reasoning, totalTokens: total }, true)
}

const contentOf = (raw: unknown): string | null => {
  if (raw === null || raw === undefined) return ""
  if (typeof raw === "string") return raw
  // Some servers answer with content parts; keep their text.
  if (Array.isArray(raw)) {
    return raw.map((part) => (isRecord(part) && typeof part["text"] === "string" ? part["text"] : "")).join("")
  }
  return null
}

/**
 * A chat completion reply as a ChatResponse (without `attempts`), or the LlmError it describes:
 * an `error` object, a content-filter stop, a refusal, or a malformed body.
 */
export const toChatResponse = (
  raw: unknown,
  request: LlmClient.ChatRequest,
  context: ErrorContext = {}
): Either.Either<Omit<ChatResponse, "attempts">, LlmError> => {
  if (!isRecord(raw)) return Either.left(parsingError(describe(raw), context))
  if (raw["error"] !== undefined && raw["error"] !== null) return Either.left(fromBodyError(raw["error"], context))
  const choices = raw["choices"]
  if (!Array.isArray(choices) || choices.length === 0) return Either.left(parsingError("the reply has no choices", context))
  const choice: unknown = choices[0]
  if (!isRecord(choice) || !isRecord(choice["message"])) {
    return Either.left(parsingError("the first choice has no message", context))
  }
  const message = choice["message"]
  const finishReason = typeof choice["finish_reason"] === "string" ? choice["finish_reason"] : null
  if (finishReason === "content_filter") {
    return Either.left(
      new LlmClient.LlmError({
        category: "content_guardrail",
        message: `The provider's content filter stopped the reply (model ${request.model})`,
        recoverable: false
      })
    )
  }
  if (finishReason === "error") {
    return Either.left(fromBodyError({ message: "the reply ended with finish_reason \"error\"" }, context))
  }
  const refusal = message["refusal"]
  if (typeof refusal === "string" && refusal.trim() !== "") {
    return Either.left(
      new LlmClient.LlmError({
        category: "model_refusal",
        message: scrubSecrets(`The model refused: ${refusal.trim().slice(0, 300)}`, context.secrets),
        recoverable: false
      })
    )
  }
  const content = contentOf(message["content"])
  if (content === null) return Either.left(parsingError("the message content is not text", context))
  const cost = finiteNumber(isRecord(raw["usage"]) ? raw["usage"]["cost"] : undefined)
  return Either.right({
    content,
    finishReason,
    usage: toUsage(raw["usage"]),
    costUsd: cost,
    generationId: typeof raw["id"] === "string" && raw["id"] !== "" ? raw["id"] : null,
    provider: typeof raw["provider"] === "string" && raw["provider"] !== "" ? raw["provider"] : null,
    model: typeof raw["model"] === "string" && raw["model"] !== "" ? raw["model"] : request.model
  })
}

/** A per-token price from OpenRouter's decimal strings (or numbers); null when absent, unparsable or negative. */
export const parsePrice = (raw: unknown): number | null => {
  const n = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : Number.NaN
  return Number.isFinite(n) && n >= 0 ? n : null
}

/** One model entry of `/models` as a ModelInfo; null for entries without an id. */
export const toModelInfo = (raw: unknown): LlmClient.ModelInfo | null => {
  if (!isRecord(raw) || typeof raw["id"] !== "string" || raw["id"] === "") return null
  const id = raw["id"]
  const top = raw["top_provider"]
  // OpenRouter says `context_length`; vLLM says `max_model_len`.
  const contextLength = count(raw["context_length"]) ?? (isRecord(top) ? count(top["context_length"]) : null) ??
    count(raw["max_model_len"])
  const params = raw["supported_parameters"]
  const pricing = raw["pricing"]
  const prompt = isRecord(pricing) ? parsePrice(pricing["prompt"]) : null
  const completion = isRecord(pricing) ? parsePrice(pricing["completion"]) : null
  return {
    id,
    name: typeof raw["name"] === "string" && raw["name"] !== "" ? raw["name"] : id,
    contextLength: contextLength === 0 ? null : contextLength,
    supportedParameters: Array.isArray(params) ? params.filter((p): p is string => typeof p === "string") : [],
    pricing: prompt === null || completion === null ? null : { promptPerToken: prompt, completionPerToken: completion }
  }
}

/** The `/models` reply (`{ data: [...] }`) as ModelInfos. */
export const toModelInfos = (raw: unknown, context: ErrorContext = {}): Either.Either<ReadonlyArray<LlmClient.ModelInfo>, LlmError> => {
  if (isRecord(raw) && raw["error"] !== undefined && raw["error"] !== null) return Either.left(fromBodyError(raw["error"], context))
  const data = isRecord(raw) ? raw["data"] : Array.isArray(raw) ? raw : undefined
  if (!Array.isArray(data)) return Either.left(parsingError(`the model list has no data array (${describe(raw)})`, context))
  return Either.right(data.map(toModelInfo).filter((m): m is LlmClient.ModelInfo => m !== null))
}

/** The `/key` reply (`{ data: { label, usage, limit, limit_remaining, is_free_tier } }`) as KeyInfo. */
export const toKeyInfo = (raw: unknown, context: ErrorContext = {}): Either.Either<LlmClient.KeyInfo, LlmError> => {
  if (isRecord(raw) && raw["error"] !== undefined && raw["error"] !== null) return Either.left(fromBodyError(raw["error"], context))
  const data = isRecord(raw) ? (isRecord(raw["data"]) ? raw["data"] : raw) : undefined
  if (data === undefined) return Either.left(parsingError(`the key info is not an object (${describe(raw)})`, context))
  const label = data["label"]
  const freeTier = data["is_free_tier"]
  return Either.right({
    label: typeof label === "string" ? scrubSecrets(label, context.secrets) : null,
    usageUsd: finiteNumber(data["usage"]),
    limitUsd: finiteNumber(data["limit"]),
    limitRemainingUsd: finiteNumber(data["limit_remaining"]),
    isFreeTier: typeof freeTier === "boolean" ? freeTier : null
  })
}
