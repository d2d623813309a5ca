/**
 * pass@k over an evaluation's repeats: the evaluations with the same benchmark, agent, model,
 * parameters and answer kind are k samples of each question, and `evaluate show` gives pass@1 and
 * pass@k with the unbiased estimator of Chen et al. (2021) (`Statistics.passAtK`). A question's
 * samples are its results without an error (a failed model call is not a sample of the model's
 * code); a question with fewer than k samples is left out of pass@k.
 */
import { type Evaluation, EvaluationRepository, ResultRepository, Statistics } from "@ml-agents/core"
import { Effect, Option, Stream } from "effect"

/** pass@k figures of an evaluation and its repeats. */
export interface PassAtKSummary {
  /** The repeats, this evaluation included, oldest first. */
  readonly evaluations: ReadonlyArray<string>
  /** Questions with at least one sample. */
  readonly questions: number
  readonly values: ReadonlyArray<Statistics.PassAtK>
}

const sameSetup = (a: Evaluation.Evaluation, b: Evaluation.Evaluation) =>
  a.benchmarkId === b.benchmarkId &&
  a.agentConfig.agentType === b.agentConfig.agentType &&
  a.agentConfig.modelName === b.agentConfig.modelName &&
  JSON.stringify(a.agentConfig.modelParameters) === JSON.stringify(b.agentConfig.modelParameters) &&
  JSON.stringify(a.agentConfig.agentParameters) === JSON.stringify(b.agentConfig.agentParameters) &&
  a.answerKind === b.answerKind

/** pass@1 and pass@k over the evaluation's repeats; none when it has no repeat. */
export const passAtK = (evaluation: Evaluation.Evaluation) =>
  Effect.gen(function*() {
    const all = yield* (yield* EvaluationRepository.EvaluationRepository).list({ benchmarkName: evaluation.benchmarkName })
    const repeats = all.filter((e) => sameSetup(e, evaluation)).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
    if (repeats.length < 2) return Option.none<PassAtKSummary>()
    const results = yield* ResultRepository.ResultRepository
    const samples = new Map<string, { n: number; c: number }>()
    for (const repeat of repeats) {
      yield* results.stream(repeat.id).pipe(
        Stream.runForEach((row) =>
          Effect.sync(() => {
            if (row.error !== null) return
            const s = samples.get(row.questionId) ?? { n: 0, c: 0 }
            s.n++
            if (row.isCorrect) s.c++
            samples.set(row.questionId, s)
          })
        )
      )
    }
    const perQuestion = [...samples.values()]
    const most = Math.max(0, ...perQuestion.map((s) => s.n))
    if (most < 2) return Option.none<PassAtKSummary>()
    const ks = [...new Set([1, ...[2, 5, 10, 20, 50, 100].filter((k) => k < most), most])].sort((a, b) => a - b)
    return Option.some<PassAtKSummary>({
      evaluations: repeats.map((e) => e.id),
      questions: perQuestion.length,
      values: ks.map((k) => Statistics.meanPassAtK(perQuestion, k))
    })
  })
