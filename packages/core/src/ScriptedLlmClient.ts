/**
 * A scripted `LlmClient` for tests: replies come from a function of the request, every request
 * is recorded, and no network is involved. Plugin authors use it to unit-test their agents.
 */
import { Effect, Layer } from "effect"
import { LlmClient, type ChatRequest, type ChatResponse, LlmError, type ModelInfo } from "./LlmClient.js"
import { TokenUsage } from "./Usage.js"

/** What a script returns for one request: the reply text, a fuller response, or an error to fail with. */
export type ScriptedReply = string | (Partial<ChatResponse> & { readonly content: string }) | LlmError

/** A script: the reply to the `index`-th request (0-based). May return an Effect to delay or vary replies. */
export type Script = (request: ChatRequest, index: number) => ScriptedReply | Effect.Effect<ScriptedReply>

/** A scripted client with its recorded requests. */
export interface Scripted {
  readonly client: LlmClient.Service
  /** Every request received, in order. */
  readonly requests: ReadonlyArray<ChatRequest>
}

const estimateTokens = (text: string) => Math.ceil(text.length / 4)

/** Builds a scripted client. */
export const make = (script: Script, options: { readonly models?: ReadonlyArray<ModelInfo> } = {}): Scripted => {
  const requests: Array<ChatRequest> = []
  const client: LlmClient.Service = {
    chat: (request) =>
      Effect.suspend(() => {
        const index = requests.length
        requests.push(request)
        const produced = script(request, index)
        return Effect.isEffect(produced) ? produced : Effect.succeed(produced)
      }).pipe(
        Effect.flatMap((reply): Effect.Effect<ChatResponse, LlmError> => {
          if (reply instanceof LlmError) return Effect.fail(reply)
          const content = typeof reply === "string" ? reply : reply.content
          const prompt = estimateTokens(request.messages.map((m) => m.content).join("\n"))
          const completion = estimateTokens(content)
          return Effect.succeed({
            content,
            finishReason: "stop",
            usage: new TokenUsage({
              promptTokens: prompt,
              completionTokens: completion,
              reasoningTokens: 0,
              totalTokens: prompt + completion
            }),
            costUsd: null,
            generationId: null,
            provider: "scripted",
            model: request.model,
            attempts: 1,
            ...(typeof reply === "string" ? {} : reply)
          })
        })
      ),
    listModels: Effect.succeed(options.models ?? []),
    keyInfo: Effect.succeed({ label: "scripted", usageUsd: 0, limitUsd: null, limitRemainingUsd: null, isFreeTier: false })
  }
  return { client, requests }
}

/** A layer with a scripted client. */
export const layer = (script: Script, options?: { readonly models?: ReadonlyArray<ModelInfo> }): Layer.Layer<LlmClient> =>
  Layer.succeed(LlmClient, make(script, options).client)
