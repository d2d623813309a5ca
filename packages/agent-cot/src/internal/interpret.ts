/**
 * Turning one model reply into the agent's result: reasoning and answer in either output mode,
 * or the categorised reason the reply cannot be used (empty, cut off, refused, filtered).
 */
import { Agent, type LlmClient } from "@ml-agents/core"
import { Either } from "effect"
import * as StructuredReply from "./structuredReply.js"
import * as TextReply from "./textReply.js"

/** What a usable reply gave. */
export interface Interpreted {
  readonly reasoning: string
  readonly answer: string | null
  /** Structured mode only: the reply was not the requested JSON and was read as text instead. */
  readonly fellBack?: boolean | undefined
  readonly note?: string | undefined
}

const excerpt = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…` : text)

const details = (reply: LlmClient.ChatResponse) =>
  `finish_reason=${reply.finishReason ?? "none"}; reply: ${JSON.stringify(excerpt(reply.content.trim()))}`

const tokenLimit = (reply: LlmClient.ChatResponse, maxTokens: number | undefined) =>
  new Agent.AgentError({
    category: "token_limit_exceeded",
    message: `the model used all ${maxTokens === undefined ? "its" : `${maxTokens}`} max_tokens before giving a final answer; ` +
      `try a higher --max-tokens (e.g. ${maxTokens === undefined ? 2000 : maxTokens * 2})`,
    details: details(reply)
  })

/** Why a reply with no answer failed, or undefined when "no answer" is itself the result. */
const noAnswer = (reply: LlmClient.ChatResponse, maxTokens: number | undefined, text: string): Agent.AgentError | undefined => {
  if (reply.finishReason === "length") return tokenLimit(reply, maxTokens)
  if (reply.finishReason === "content_filter") {
    return new Agent.AgentError({ category: "content_guardrail", message: "the provider's content filter stopped the reply", details: details(reply) })
  }
  if (TextReply.looksLikeRefusal(text)) {
    return new Agent.AgentError({ category: "model_refusal", message: "the model refused to answer the question", details: details(reply) })
  }
  return undefined
}

/**
 * Reads free text: marker, inline or boxed answers always count; the whole reply counts as the
 * answer only when it was not cut off and is not a refusal (`allowWhole` off for JSON debris).
 */
const readText = (
  reply: LlmClient.ChatResponse,
  maxTokens: number | undefined,
  text: string,
  allowWhole: boolean
): Either.Either<{ readonly reasoning: string; readonly answer: string | null }, Agent.AgentError> => {
  const parsed = TextReply.parse(text)
  const explicit = parsed.via === "marker" || parsed.via === "inline" || parsed.via === "boxed"
  if (explicit && parsed.answer !== null) return Either.right(parsed)
  const wholeUsable = parsed.via === "whole" && allowWhole && reply.finishReason !== "length" && !TextReply.looksLikeRefusal(text)
  if (wholeUsable) return Either.right(parsed)
  const failure = noAnswer(reply, maxTokens, text)
  if (failure !== undefined) return Either.left(failure)
  return Either.right({ reasoning: parsed.via === "whole" ? text.trim() : parsed.reasoning, answer: null })
}

/** Interprets one reply in the mode it was asked in. */
export const interpret = (
  reply: LlmClient.ChatResponse,
  mode: "structured" | "text",
  maxTokens: number | undefined
): Either.Either<Interpreted, Agent.AgentError> => {
  if (reply.content.trim() === "") {
    const failure = noAnswer(reply, maxTokens, "")
    return Either.left(
      failure ?? new Agent.AgentError({ category: "parsing_error", message: "the model returned an empty reply", details: details(reply) })
    )
  }
  if (mode === "text") return readText(reply, maxTokens, reply.content, true)

  const decoded = StructuredReply.decode(reply.content)
  if (Either.isRight(decoded)) {
    const { answer: field, reasoning } = decoded.right
    // The field should hold the bare answer, but may still say "Answer: B" or "**B**".
    const answer = field.trim() === "" ? null : TextReply.parse(field).answer ?? TextReply.tidy(field)
    if (answer !== null) {
      if (TextReply.looksLikeRefusal(answer)) {
        return Either.left(new Agent.AgentError({ category: "model_refusal", message: "the model refused to answer the question", details: details(reply) }))
      }
      return Either.right({ reasoning: reasoning.trim(), answer, fellBack: false })
    }
    // Valid JSON with an empty answer: the answer may still be stated at the end of the reasoning.
    return Either.map(readText(reply, maxTokens, reasoning, false), (read) => ({
      ...read,
      fellBack: true,
      note: "the JSON reply had an empty answer; read the answer from its reasoning"
    }))
  }
  // Not the requested JSON (some providers ignore response_format): read the same reply as text.
  return Either.map(readText(reply, maxTokens, reply.content, !StructuredReply.looksLikeJson(reply.content)), (read) => ({
    ...read,
    fellBack: true,
    note: `the reply was not the requested JSON (${decoded.left}); read it as text`
  }))
}
