import { assert, describe, it } from "@effect/vitest"
import { EvaluationResults, FailureReason, QuestionResult, Usage } from "../src/index.js"

const row = (id: string, options: { correct?: boolean; error?: FailureReason.FailureCategory; cost?: number | null; ms?: number }) =>
  new QuestionResult.EvaluationQuestionResult({
    evaluationId: "eval_x",
    questionId: id,
    questionText: "q",
    expectedAnswer: "A",
    extractedAnswer: options.error ? null : "A",
    rawOutput: options.error ? null : "Answer: A",
    isCorrect: options.correct ?? false,
    executionTimeMs: options.ms ?? 100,
    reasoningTrace: null,
    error: options.error ? FailureReason.make({ category: options.error, description: "x" }) : null,
    usage: new Usage.TokenUsage({ promptTokens: 10, completionTokens: 5, reasoningTokens: 1, totalTokens: 15 }),
    costUsd: options.cost === undefined ? 0.001 : options.cost,
    llmCalls: 1,
    processedAt: new Date(0)
  })

describe("EvaluationResults", () => {
  it("counts correct, incorrect and errors by category, and failed questions count against accuracy", () => {
    const results = EvaluationResults.fromRows([
      row("1", { correct: true }),
      row("2", { correct: true }),
      row("3", { correct: false }),
      row("4", { error: "parsing_error", cost: null }),
      row("5", { error: "network_timeout" }),
      row("6", { error: "parsing_error", ms: 400 })
    ])
    assert.strictEqual(results.processed, 6)
    assert.strictEqual(results.correct, 2)
    assert.strictEqual(results.incorrect, 1)
    assert.strictEqual(results.errors, 3)
    assert.deepStrictEqual(results.errorsByCategory, { parsing_error: 2, network_timeout: 1 })
    assert.closeTo(results.accuracy, 2 / 6, 1e-12)
    assert.strictEqual(results.totalTimeMs, 900)
    assert.strictEqual(results.averageTimeMs, 150)
    assert.strictEqual(results.usage.totalTokens, 90)
    assert.strictEqual(results.usage.reasoningTokens, 6)
    assert.closeTo(results.costUsd, 0.005, 1e-12)
    assert.strictEqual(results.llmCalls, 6)
  })

  it("an evaluation with no results has zero accuracy, not NaN", () => {
    const results = EvaluationResults.fromRows([])
    assert.strictEqual(results.accuracy, 0)
    assert.strictEqual(results.averageTimeMs, 0)
  })

  it("cost per correct answer is missing (null), never $0, when no question reported a cost", () => {
    const unreported = EvaluationResults.fromRows([row("1", { correct: true, cost: null }), row("2", { correct: false, cost: null })])
    assert.strictEqual(unreported.costReported, 0)
    assert.isNull(EvaluationResults.costPerCorrect(unreported))
    assert.isNull(EvaluationResults.costPerQuestion(unreported))
    const reported = EvaluationResults.fromRows([row("1", { correct: true, cost: 0.004 }), row("2", { correct: false, cost: null })])
    assert.strictEqual(reported.costReported, 1)
    assert.closeTo(EvaluationResults.costPerCorrect(reported)!, 0.004, 1e-12)
    assert.closeTo(EvaluationResults.costPerQuestion(reported)!, 0.004, 1e-12)
    const noneCorrect = EvaluationResults.fromRows([row("1", { correct: false, cost: 0.002 })])
    assert.isNull(EvaluationResults.costPerCorrect(noneCorrect))
  })
})
