/**
 * The one way agents talk to a language model. Implemented by adapters (`@ml-agents/openrouter`
 * over HTTP, the scripted client of `@ml-agents/core/testing` in unit tests); agents never see
 * an SDK.
 */
import { Context, type Effect, Schema } from "effect"
import { FailureCategory, FailureReason } from "./FailureReason.js"
import type { TokenUsage } from "./Usage.js"

/** One chat message. */
export interface ChatMessage {
  readonly role: "system" | "user" | "assistant"
  readonly content: string
}

/** Ask for JSON output; `json_schema` where the model supports structured output. */
export type ResponseFormat =
  | { readonly type: "json_object" }
  | { readonly type: "json_schema"; readonly name: string; readonly schema: Readonly<Record<string, unknown>> }

/** A chat completion request. */
export interface ChatRequest {
  readonly model: string
  readonly messages: ReadonlyArray<ChatMessage>
  readonly temperature?: number | undefined
  readonly maxTokens?: number | undefined
  readonly topP?: number | undefined
  readonly stop?: ReadonlyArray<string> | undefined
  readonly responseFormat?: ResponseFormat | undefined
}

/** A chat completion response, with what it cost. */
export interface ChatResponse {
  readonly content: string
  /** `stop`, `length`, `content_filter`, … as the provider said; null when it said nothing. */
  readonly finishReason: string | null
  readonly usage: TokenUsage
  /** USD, as the provider reported it (`usage.cost`); null when not reported. */
  readonly costUsd: number | null
  readonly generationId: string | null
  /** The upstream provider that served the call, when known. */
  readonly provider: string | null
  /** The model that actually answered. */
  readonly model: string
  /** Attempts it took: 1 when the first attempt succeeded, 0 when answered from a cache. */
  readonly attempts: number
}

/** A model from the provider's model list. */
export interface ModelInfo {
  readonly id: string
  readonly name: string
  readonly contextLength: number | null
  readonly supportedParameters: ReadonlyArray<string>
  /** USD per token; null when the provider gave no price. */
  readonly pricing: { readonly promptPerToken: number; readonly completionPerToken: number } | null
}

/** What the key endpoint says of the API key. */
export interface KeyInfo {
  readonly label: string | null
  readonly usageUsd: number | null
  readonly limitUsd: number | null
  readonly limitRemainingUsd: number | null
  readonly isFreeTier: boolean | null
}

/** A failed model call, already mapped to a failure category at the adapter's edge. */
export class LlmError extends Schema.TaggedError<LlmError>()("LlmError", {
  category: FailureCategory,
  message: Schema.String,
  status: Schema.optional(Schema.Number),
  /** Milliseconds the server asked us to wait (Retry-After). */
  retryAfterMs: Schema.optional(Schema.Number),
  recoverable: Schema.Boolean,
  /** Attempts made before giving up, when the client retried. */
  attempts: Schema.optional(Schema.Number)
}) {
  /** The stored form of this error. */
  toFailureReason(): FailureReason {
    return new FailureReason({
      category: this.category,
      description: this.message,
      technicalDetails: this.status === undefined ? "" : `HTTP ${this.status}`,
      recoverable: this.recoverable
    })
  }
}

/** The LlmClient service. */
export class LlmClient extends Context.Tag("@ml-agents/core/LlmClient")<LlmClient, LlmClient.Service>() {}

/** The LlmClient service's types. */
export declare namespace LlmClient {
  /** What an LlmClient does. */
  export interface Service {
    readonly chat: (request: ChatRequest) => Effect.Effect<ChatResponse, LlmError>
    readonly listModels: Effect.Effect<ReadonlyArray<ModelInfo>, LlmError>
    readonly keyInfo: Effect.Effect<KeyInfo, LlmError>
  }
}
