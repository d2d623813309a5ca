/**
 * The baseline `none` agent: one call, answer directly, no reasoning requested. Every reasoning
 * agent is measured against it.
 */
import { Effect, Schema } from "effect"
import * as Agent from "./Agent.js"
import { ModelParameters } from "./AgentConfig.js"
import * as Answer from "./Answer.js"
import { LlmClient } from "./LlmClient.js"

/** The system prompt of the baseline. */
export const SYSTEM_PROMPT =
  "Answer the question directly. Do not explain your reasoning. Reply with the final answer only, " +
  "on one line, in the form `Answer: <answer>`. For multiple-choice questions give only the option letter."

/** The `none` agent. */
export const agent = Agent.make({
  id: "none",
  description: "Direct answer: one model call, no reasoning requested (the baseline).",
  parameters: Schema.Struct({}),
  modelDefaults: new ModelParameters({ temperature: 0.1, maxTokens: 800 }),
  solve: ({ model, modelParameters, question }) =>
    Effect.gen(function*() {
      const llm = yield* LlmClient
      const messages = [
        { role: "system", content: SYSTEM_PROMPT },
        { role: "user", content: question.text }
      ] as const
      const reply = yield* llm.chat({
        model,
        messages,
        temperature: modelParameters.temperature,
        maxTokens: modelParameters.maxTokens,
        topP: modelParameters.topP
      })
      const answer = Answer.extract(reply.content)
      if (reply.content.trim() === "") {
        return yield* new Agent.AgentError({
          category: reply.finishReason === "length" ? "token_limit_exceeded" : "parsing_error",
          message: reply.finishReason === "length"
            ? "the model used all its max_tokens before answering"
            : "the model returned an empty reply",
          details: `finish_reason=${reply.finishReason ?? "none"}`
        })
      }
      return {
        answer,
        rawOutput: reply.content,
        trace: { kind: "none", finishReason: reply.finishReason, generationId: reply.generationId }
      }
    })
})
