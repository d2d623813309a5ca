/**
 * pass@k of an evaluation: with several samples of each question, `evaluate show` gives pass@1 and
 * pass@k with the unbiased estimator of Chen et al. (2021) (`Statistics.passAtK`). A question's
 * samples are those of an agent that draws k candidates itself (its stored sample grades, e.g.
 * self-consistency's k replies), else its result; summed over the evaluation's repeats (the
 * evaluations with the same benchmark, agent, model, parameters and answer kind). A failed
 * question is no sample (a failed model call is not a sample of the model's code); a question
 * with fewer than k samples is left out of pass@k.
 */
import { type Evaluation, EvaluationRepository, type QuestionResult, ResultRepository, Statistics } from "@ml-agents/core"
import { Effect, Option, Stream } from "effect"

/** pass@k figures of an evaluation and its repeats. */
export interface PassAtKSummary {
  /** The repeats, this evaluation included, oldest first (just this one when it has none). */
  readonly evaluations: ReadonlyArray<string>
  /** Questions with at least one sample. */
  readonly questions: number
  /** Whether the samples include an agent's own (its stored sample grades), not only one result per repeat. */
  readonly agentSamples: boolean
  /** The most samples any question has (the largest k estimated). */
  readonly maxSamples: number
  readonly values: ReadonlyArray<Statistics.PassAtK>
}

/**
 * The samples one result gives a question: n drawn and c correct. An agent's own samples when it
 * stored their grades (each graded on its own); else the result itself, one sample; none when
 * the question failed.
 */
export const questionSamples = (row: QuestionResult.EvaluationQuestionResult): { n: number; c: number } | null => {
  if (row.error !== null) return null
  if (row.sampleGrades !== null && row.sampleGrades.length > 0) {
    return { n: row.sampleGrades.length, c: row.sampleGrades.filter((s) => s.outcome === "correct").length }
  }
  return { n: 1, c: row.isCorrect ? 1 : 0 }
}

const sameSetup = (a: Evaluation.Evaluation, b: Evaluation.Evaluation) =>
  a.benchmarkId === b.benchmarkId &&
  a.agentConfig.agentType === b.agentConfig.agentType &&
  a.agentConfig.modelName === b.agentConfig.modelName &&
  JSON.stringify(a.agentConfig.modelParameters) === JSON.stringify(b.agentConfig.modelParameters) &&
  JSON.stringify(a.agentConfig.agentParameters) === JSON.stringify(b.agentConfig.agentParameters) &&
  a.answerKind === b.answerKind

/** pass@1 and pass@k over the evaluation's samples and repeats; none when no question has two samples. */
export const passAtK = (evaluation: Evaluation.Evaluation) =>
  Effect.gen(function*() {
    const all = yield* (yield* EvaluationRepository.EvaluationRepository).list({ benchmarkName: evaluation.benchmarkName })
    const others = all.filter((e) => e.id !== evaluation.id && sameSetup(e, evaluation))
    const repeats = [evaluation, ...others].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
    const results = yield* ResultRepository.ResultRepository
    const samples = new Map<string, { n: number; c: number }>()
    let agentSamples = false
    for (const repeat of repeats) {
      yield* results.stream(repeat.id).pipe(
        Stream.runForEach((row) =>
          Effect.sync(() => {
            const drawn = questionSamples(row)
            if (drawn === null) return
            if (row.sampleGrades !== null && row.sampleGrades.length > 0) agentSamples = true
            const s = samples.get(row.questionId) ?? { n: 0, c: 0 }
            s.n += drawn.n
            s.c += drawn.c
            samples.set(row.questionId, s)
          })
        )
      )
    }
    const perQuestion = [...samples.values()]
    const most = perQuestion.reduce((m, s) => Math.max(m, s.n), 0)
    if (most < 2) return Option.none<PassAtKSummary>()
    const ks = [...new Set([1, ...[2, 5, 10, 20, 50, 100].filter((k) => k < most), most])].sort((a, b) => a - b)
    return Option.some<PassAtKSummary>({
      evaluations: repeats.map((e) => e.id),
      questions: perQuestion.length,
      agentSamples,
      maxSamples: most,
      values: ks.map((k) => Statistics.meanPassAtK(perQuestion, k))
    })
  })

/** Where the samples came from, for the text of `evaluate show`. */
export const describeSamples = (summary: PassAtKSummary): string => {
  const repeats = `${summary.evaluations.length} repeats (${summary.evaluations.join(", ")})`
  if (!summary.agentSamples) return `over ${repeats}`
  const own = `the agent's samples (up to ${summary.maxSamples} per question)`
  return summary.evaluations.length > 1 ? `over ${own} in ${repeats}` : `over ${own}`
}
