/**
 * Text mode: separating the reasoning from the final answer in the replies models really give,
 * and failing with the right category when a reply cannot be used.
 */
import { assert, describe, it } from "@effect/vitest"
import { Agent } from "@ml-agents/core"
import { ScriptedLlmClient } from "@ml-agents/core/testing"
import { Effect, Exit } from "effect"
import { solveWith, traceOf } from "./helpers.js"

type Case =
  | { readonly name: string; readonly reply: string; readonly finishReason?: string; readonly answer: string | null; readonly reasoning: string }
  | { readonly name: string; readonly reply: string; readonly finishReason?: string; readonly error: Agent.AgentError["category"]; readonly message?: string }

const cases: ReadonlyArray<Case> = [
  { name: "reasoning then an Answer: line", reply: "Step 1: 6 x 7 = 42.\nAnswer: 42", answer: "42", reasoning: "Step 1: 6 x 7 = 42." },
  { name: "Answer: alone on its line, the answer below", reply: "6 sevens make 42.\nAnswer:\n\n42", answer: "42", reasoning: "6 sevens make 42." },
  {
    name: "the last marker wins",
    reply: "Answer: 41, at first sight.\nChecking: 6 x 7 is 42, not 41.\nAnswer: 42",
    answer: "42",
    reasoning: "Answer: 41, at first sight.\nChecking: 6 x 7 is 42, not 41."
  },
  {
    name: "a marker in the middle of a line is reasoning, not the answer",
    reply: "My draft answer: 41 was wrong.\nSo the product is 42.\nAnswer: 42",
    answer: "42",
    reasoning: "My draft answer: 41 was wrong.\nSo the product is 42."
  },
  {
    name: "a marker line in the middle of the reasoning, a final one at the end",
    reply: "Let me think step by step.\nFinal answer: maybe 36?\nNo: 6 x 6 is 36, 6 x 7 is 42.\nFinal answer: 42",
    answer: "42",
    reasoning: "Let me think step by step.\nFinal answer: maybe 36?\nNo: 6 x 6 is 36, 6 x 7 is 42."
  },
  { name: "bold marker", reply: "Option B fits.\n**Answer:** B", answer: "B", reasoning: "Option B fits." },
  { name: "bold around the marker only", reply: "Option C fits.\n**Answer**: C", answer: "C", reasoning: "Option C fits." },
  { name: "bold around the whole answer line", reply: "Option D fits.\n**Final Answer: D**", answer: "D", reasoning: "Option D fits." },
  { name: "boxed after a marker", reply: "6 x 7 = 42\nFinal answer: $\\boxed{42}$", answer: "42", reasoning: "6 x 7 = 42" },
  { name: "boxed with no marker", reply: "6 x 7 = 42.\nTherefore \\boxed{42}.", answer: "42", reasoning: "6 x 7 = 42.\nTherefore" },
  { name: "boxed with nested braces", reply: "Halve it.\nSo we get \\boxed{\\frac{1}{2}}", answer: "\\frac{1}{2}", reasoning: "Halve it.\nSo we get" },
  { name: "Final answer:", reply: "Reasoning here.\nFinal answer: Paris", answer: "Paris", reasoning: "Reasoning here." },
  { name: "The answer is: at the start of a line", reply: "Only B is prime.\nThe answer is: B", answer: "B", reasoning: "Only B is prime." },
  { name: "the answer is … inside a sentence", reply: "6 x 7 = 42.\nSo the answer is 42.", answer: "42", reasoning: "6 x 7 = 42.\nSo" },
  { name: "Windows line endings", reply: "6 x 7 = 42.\r\nAnswer: 42\r\n", answer: "42", reasoning: "6 x 7 = 42." },
  { name: "a bare one-line answer", reply: "42", answer: "42", reasoning: "" },
  {
    name: "reasoning with no marker gives no answer, and no error",
    reply: "Let me think step by step.\n6 x 7 could be 42 or 48.\nI would need to check.",
    answer: null,
    reasoning: "Let me think step by step.\n6 x 7 could be 42 or 48.\nI would need to check."
  },
  {
    name: "reasoning that says it can't answer yet, then answers",
    reply: "I can't answer without computing first.\n6 x 7 = 42\nAnswer: 42",
    answer: "42",
    reasoning: "I can't answer without computing first.\n6 x 7 = 42"
  },
  {
    name: "cut off by max_tokens after the answer: the answer stands",
    reply: "6 x 7 = 42\nAnswer: 42",
    finishReason: "length",
    answer: "42",
    reasoning: "6 x 7 = 42"
  },
  {
    name: "\"can't help but\" is no refusal",
    reply: "I can't help but think it is 42 or 48.\nHard to say without checking.",
    answer: null,
    reasoning: "I can't help but think it is 42 or 48.\nHard to say without checking."
  },
  { name: "an empty reply", reply: "", error: "parsing_error", message: "empty" },
  { name: "a blank reply", reply: "  \n\n ", error: "parsing_error" },
  { name: "cut off by max_tokens before any answer", reply: "Let me think step by step.\n1. First, six times", finishReason: "length", error: "token_limit_exceeded", message: "--max-tokens" },
  { name: "cut off on one line is not the answer", reply: "Let me think step by step about", finishReason: "length", error: "token_limit_exceeded" },
  { name: "empty and cut off", reply: "", finishReason: "length", error: "token_limit_exceeded" },
  { name: "a refusal", reply: "I'm sorry, but I can't help with that.", error: "model_refusal" },
  { name: "a longer refusal", reply: "I cannot assist with this request.\nIt asks for something I am not permitted to do.", error: "model_refusal" },
  { name: "filtered by the provider", reply: "", finishReason: "content_filter", error: "content_guardrail" }
]

describe("text mode extraction", () => {
  it("has at least 15 cases", () => assert.isAtLeast(cases.length, 15))

  for (const c of cases) {
    it.effect(c.name, () =>
      Effect.gen(function*() {
        const scripted = ScriptedLlmClient.make(() => ({ content: c.reply, finishReason: c.finishReason ?? "stop", generationId: "gen-1" }))
        const exit = yield* Effect.exit(solveWith(scripted.client, { parameters: { structured_output: "never" } }))
        assert.strictEqual(scripted.requests.length, 1)
        if ("error" in c) {
          assert.isTrue(Exit.isFailure(exit), "expected a failure")
          const error = yield* Effect.flip(exit)
          assert.strictEqual(error._tag, "AgentError")
          assert.strictEqual(error.category, c.error)
          if (c.message !== undefined) assert.include(error.message, c.message)
          return
        }
        assert.isTrue(Exit.isSuccess(exit), Exit.isFailure(exit) ? String(exit.cause) : "")
        const output = yield* exit
        assert.strictEqual(output.answer, c.answer)
        assert.strictEqual(output.rawOutput, c.reply)
        assert.deepStrictEqual(traceOf(output), {
          kind: "cot",
          mode: "text",
          reasoning: c.reasoning,
          answer: c.answer,
          finishReason: c.finishReason ?? "stop",
          generationId: "gen-1"
        })
      }))
  }

  it.effect("the token limit error says how many tokens and suggests more", () =>
    Effect.gen(function*() {
      const scripted = ScriptedLlmClient.make(() => ({ content: "Step 1: hmm", finishReason: "length" }))
      const error = yield* Effect.flip(solveWith(scripted.client))
      assert.strictEqual(error._tag, "AgentError")
      assert.include(error.message, "1000 max_tokens")
      assert.include(error.message, "--max-tokens (e.g. 2000)")
    }))
})
