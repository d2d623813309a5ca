/**
 * The `cot` agent: one model call that reasons step by step, with the reasoning and the final
 * answer kept apart. Where the model supports structured output it is asked for
 * `{reasoning, answer}` as JSON; otherwise the answer is read from the text's last
 * "Answer:"-style marker.
 */
import { Agent, AgentConfig, LlmClient } from "@ml-agents/core"
import { Effect, Either, Schema } from "effect"
import { interpret } from "./internal/interpret.js"
import * as Mode from "./internal/mode.js"
import * as Prompts from "./internal/prompts.js"
import * as StructuredReply from "./internal/structuredReply.js"

/** The system prompt of text mode. */
export const TEXT_SYSTEM_PROMPT: string = Prompts.TEXT_SYSTEM_PROMPT

/** The system prompt of structured (JSON) mode. */
export const STRUCTURED_SYSTEM_PROMPT: string = Prompts.STRUCTURED_SYSTEM_PROMPT

/** The `response_format` of structured mode: a strict JSON schema for `{reasoning, answer}`. */
export const RESPONSE_FORMAT: LlmClient.ResponseFormat = {
  type: "json_schema",
  name: StructuredReply.FORMAT_NAME,
  schema: StructuredReply.jsonSchema
}

/** Fewest max tokens that leave room to reason before answering. */
export const MIN_MAX_TOKENS = 256

/** The agent's parameters: `structured_output` is "auto" (JSON where the model supports it), "always" or "never". */
export const Parameters = Schema.Struct({
  structured_output: Schema.optionalWith(Schema.Literal("auto", "always", "never"), { default: () => "auto" as const })
})

/** Decoded parameters of the `cot` agent. */
export type Parameters = typeof Parameters.Type

/** The reasoning trace stored with each result (plain JSON). */
export interface Trace {
  readonly kind: "cot"
  readonly mode: "structured" | "text"
  /** Structured mode only: the reply was not the requested JSON and was read as text. */
  readonly fellBack?: boolean
  /** Why the mode or the reading was not the obvious one (model list unavailable, fallback). */
  readonly note?: string
  readonly reasoning: string
  readonly answer: string | null
  readonly finishReason: string | null
  readonly generationId: string | null
}

/** Solves one question with a single chain-of-thought call. */
export const solve = Effect.fn("ChainOfThought.solve")(function*(input: Agent.SolveInput<Parameters>) {
  const { model, modelParameters, parameters, question } = input
  const llm = yield* LlmClient.LlmClient
  const choice = yield* Mode.choose(llm, model, parameters.structured_output)
  const structured = choice.mode === "structured"
  const reply = yield* llm.chat({
    model,
    messages: [
      { role: "system", content: structured ? Prompts.STRUCTURED_SYSTEM_PROMPT : Prompts.TEXT_SYSTEM_PROMPT },
      { role: "user", content: Prompts.userPrompt(question.text) }
    ],
    temperature: modelParameters.temperature,
    maxTokens: modelParameters.maxTokens,
    topP: modelParameters.topP,
    responseFormat: structured ? RESPONSE_FORMAT : undefined
  })
  const result = interpret(reply, choice.mode, modelParameters.maxTokens)
  if (Either.isLeft(result)) return yield* result.left
  const { answer, fellBack, reasoning } = result.right
  const notes = [choice.note, result.right.note].filter((n): n is string => n !== undefined)
  // Optional fields are left out rather than set to undefined, which JSON storage would not keep.
  const trace: Trace = {
    kind: "cot",
    mode: choice.mode,
    ...(fellBack === undefined ? {} : { fellBack }),
    ...(notes.length === 0 ? {} : { note: notes.join("; ") }),
    reasoning,
    answer,
    finishReason: reply.finishReason,
    generationId: reply.generationId
  }
  return { answer, rawOutput: reply.content, trace } satisfies Agent.AgentOutput
})

/** The `cot` agent. */
export const agent: Agent.Agent<Parameters> = Agent.make({
  id: "cot",
  description: "Chain of thought: one call that reasons step by step, keeping the reasoning and the final answer apart.",
  parameters: Parameters,
  // COT_AGENT_DEFAULTS in SPEC.md.
  modelDefaults: new AgentConfig.ModelParameters({ temperature: 0.8, maxTokens: 1000 }),
  validate: ({ modelParameters }) =>
    modelParameters.maxTokens !== undefined && modelParameters.maxTokens < MIN_MAX_TOKENS
      ? `max_tokens ${modelParameters.maxTokens} leaves too little room to reason step by step; use at least ${MIN_MAX_TOKENS} (--max-tokens)`
      : undefined,
  solve
})
