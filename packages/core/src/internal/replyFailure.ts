/**
 * Replies no agent can answer from, recognised once for every agent (plugins included) at the
 * one place every agent's model calls pass: an empty reply, a refusal, a reply cut off by
 * max_tokens before any answer marker, a reply stopped by the provider's content filter. The
 * orchestrator records the question's final reply as such a failure, with the same category and
 * words whichever agent asked, so error rates compare across agents.
 */
import * as Answer from "../Answer.js"
import * as FailureReason from "../FailureReason.js"

/** What the orchestrator keeps of a question's last model reply. */
export interface LastReply {
  readonly content: string
  readonly finishReason: string | null
}

/** The categories an agent may give a reply it could not use; core decides them instead, alike for all. */
export const REPLY_CATEGORIES: ReadonlySet<string> = new Set([
  "model_refusal", "token_limit_exceeded", "parsing_error", "content_guardrail"
])

const excerpt = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…` : text)

/** The failure a final reply amounts to, or undefined when it may hold an answer. */
export const classify = (reply: LastReply | undefined): FailureReason.FailureReason | undefined => {
  if (reply === undefined) return undefined
  const text = reply.content.trim()
  const technicalDetails = `finish_reason=${reply.finishReason ?? "none"}; reply: ${JSON.stringify(excerpt(text))}`
  const fail = (category: FailureReason.FailureCategory, description: string) =>
    FailureReason.make({ category, description, technicalDetails, recoverable: false })
  const marked = Answer.locate(text) !== null
  if (reply.finishReason === "content_filter" && !marked) {
    return fail("content_guardrail", "the provider's content filter stopped the reply")
  }
  if (reply.finishReason === "length" && !marked) {
    return fail("token_limit_exceeded", "the model used all its max_tokens before giving a final answer; try a higher --max-tokens")
  }
  if (text === "") return fail("parsing_error", "the model returned an empty reply")
  if (!marked && Answer.isRefusal(text)) return fail("model_refusal", "the model refused to answer the question")
  return undefined
}
