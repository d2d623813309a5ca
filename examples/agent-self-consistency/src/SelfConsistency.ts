/**
 * Self-consistency (Wang et al., 2023): sample k chain-of-thought answers at a temperature above
 * zero and return the most frequent one, with the k replies as the output's `samples` (each graded
 * on its own, for pass@k). An example of a third-party agent plugin: it depends on
 * `@ml-agents/core` and `effect` only, and talks to the model through `LlmClient`.
 */
import { Agent, AgentConfig, Answer, LlmClient } from "@ml-agents/core"
import { Effect, Schema } from "effect"

/** The prompt of each sample; "step by step" asks for reasoning before the final line. */
export const SYSTEM_PROMPT =
  "Think step by step, then give your final answer on the last line as `Answer: <answer>`. " +
  "For multiple-choice questions the answer is only the option letter."

/** Answers that differ only in case, spacing or decoration count as one vote. */
export const voteKey = (answer: string): string => Answer.clean(answer).toLowerCase().replace(/\s+/g, " ")

/** The majority answer among samples (first seen wins a tie), with the vote counts. */
export const majority = (
  answers: ReadonlyArray<string | null>
): { readonly answer: string | null; readonly votes: Record<string, number> } => {
  const votes: Record<string, number> = {}
  const firstSpelling = new Map<string, string>()
  for (const answer of answers) {
    if (answer === null) continue
    const key = voteKey(answer)
    if (key === "") continue
    votes[key] = (votes[key] ?? 0) + 1
    if (!firstSpelling.has(key)) firstSpelling.set(key, Answer.clean(answer))
  }
  let best: string | null = null
  for (const key of firstSpelling.keys()) {
    if (best === null || votes[key]! > votes[best]!) best = key
  }
  return { answer: best === null ? null : firstSpelling.get(best)!, votes }
}

/** The self-consistency agent. */
export const agent = Agent.make({
  id: "self-consistency",
  description: "Self-consistency: majority vote over k step-by-step samples.",
  parameters: Schema.Struct({
    samples: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 20)), { default: () => 5 })
  }),
  modelDefaults: new AgentConfig.ModelParameters({ temperature: 0.7, maxTokens: 1000 }),
  maxCalls: (parameters) => parameters.samples,
  validate: ({ modelParameters, parameters }) =>
    parameters.samples > 1 && modelParameters.temperature === 0
      ? "temperature 0 makes every sample the same; use a temperature above 0 (e.g. --temp 0.7) or --param samples=1"
      : undefined,
  solve: ({ model, modelParameters, parameters, question }) =>
    Effect.gen(function*() {
      const llm = yield* LlmClient.LlmClient
      // The samples are independent, so they run at once: wall time is one call's, not k calls'.
      const replies = yield* Effect.forEach(
        Array.from({ length: parameters.samples }, (_, i) => i),
        () =>
          llm.chat({
            model,
            messages: [
              { role: "system", content: SYSTEM_PROMPT },
              { role: "user", content: question.text }
            ],
            temperature: modelParameters.temperature,
            maxTokens: modelParameters.maxTokens,
            topP: modelParameters.topP
          }),
        { concurrency: "unbounded" }
      )
      const answers = replies.map((reply) => Answer.extract(reply.content))
      const { answer, votes } = majority(answers)
      if (answer === null && replies.every((reply) => reply.content.trim() === "")) {
        return yield* new Agent.AgentError({ category: "parsing_error", message: "every sample was empty" })
      }
      const winner = answer === null ? -1 : answers.findIndex((a) => a !== null && voteKey(a) === voteKey(answer))
      return {
        answer,
        rawOutput: winner >= 0 ? replies[winner]!.content : replies.at(-1)?.content ?? "",
        // The k replies are independent draws: each is graded on its own and stored with its
        // grade, so pass@1 and pass@k come from one evaluation. The trace keeps only their answers.
        samples: replies.map((reply) => reply.content),
        trace: {
          kind: "self-consistency",
          samples: answers.map((a) => ({ answer: a ?? null })),
          votes
        }
      }
    })
})
