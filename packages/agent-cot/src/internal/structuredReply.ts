/**
 * Structured output: the JSON shape the agent asks for where the model supports
 * `response_format`, and decoding a reply into it.
 */
import { Either, ParseResult, Schema } from "effect"

/** The `response_format` name sent with structured requests. */
export const FORMAT_NAME = "chain_of_thought"

// Some models answer a number or a boolean where a string was asked for; keep them as text.
const AnswerField = Schema.transform(
  Schema.Union(Schema.String, Schema.Number, Schema.Boolean),
  Schema.String,
  { strict: true, decode: (value) => String(value), encode: (text) => text }
)

/** A structured chain-of-thought reply. */
export const StructuredReply = Schema.Struct({
  reasoning: Schema.String,
  answer: AnswerField
})

/** A decoded structured reply. */
export type StructuredReply = typeof StructuredReply.Type

/**
 * The JSON Schema sent to the model. Written by hand rather than derived, because strict
 * structured output (OpenAI, OpenRouter) wants exactly this: every property required, no extras,
 * and no `$schema` or `$defs` noise.
 */
export const jsonSchema: Readonly<Record<string, unknown>> = {
  type: "object",
  properties: {
    reasoning: { type: "string", description: "Step-by-step reasoning that leads to the answer." },
    answer: { type: "string", description: "Only the final answer; for multiple choice only the option letter." }
  },
  required: ["reasoning", "answer"],
  additionalProperties: false
}

// Models that ignore the format now and then still wrap their JSON in a markdown fence.
const fenced = /^```[a-zA-Z]*\s*\n?([\s\S]*?)\n?\s*```$/

const decodeJson = Schema.decodeUnknownEither(Schema.parseJson(StructuredReply))

/** Decodes a reply's content, or says in one line why it is not the requested JSON. */
export const decode = (content: string): Either.Either<StructuredReply, string> => {
  const trimmed = content.trim()
  const unfenced = fenced.exec(trimmed)?.[1] ?? trimmed
  return Either.mapLeft(decodeJson(unfenced), (error) =>
    ParseResult.TreeFormatter.formatErrorSync(error).split("\n").map((line) => line.trim()).filter((line) => line !== "").join(" ").slice(0, 300))
}

/** Whether a reply looks like an attempt at JSON (so that its whole text is no answer). */
export const looksLikeJson = (content: string): boolean => /^\s*(?:```[a-zA-Z]*\s*)?[[{]/.test(content)
