/**
 * pass@k over several samples per question, with the unbiased estimator of Chen et al. (2021)
 * (`Statistics.passAtK`). The samples of a question come from rows: an evaluation's repeats (the
 * evaluations with the same benchmark, agent, model, parameters and answer kind) each give one,
 * and `questionSamples` says what a single stored row contributes. Every pass@k figure (`evaluate
 * show`, the reports, an experiment's answer) is pooled here, so what counts as a sample is
 * decided in one place.
 */
import { Effect, Option, Stream } from "effect"
import type { Evaluation } from "./Evaluation.js"
import { EvaluationRepository } from "./EvaluationRepository.js"
import { ExperimentRepository } from "./ExperimentRepository.js"
import * as ReplyFailure from "./internal/replyFailure.js"
import type { EvaluationQuestionResult, SampleGrade } from "./QuestionResult.js"
import { ResultRepository } from "./ResultRepository.js"
import * as Statistics from "./Statistics.js"

/** A question's samples: n graded, c of them correct. */
export interface Samples {
  readonly n: number
  readonly c: number
}

/** What a sample is, in one sentence, for every front end that shows pass@k. */
export const SAMPLE_RULE =
  "a question's samples are the agent's own draws when it drew several (each graded on its own), else its answer, over " +
  "the repeats (the evaluations with the same benchmark, agent, model, parameters and answer kind: an experiment's own " +
  "cells, or outside an experiment the completed ones); a refused, empty or cut-off reply is a wrong sample, a question " +
  "that failed for another reason (a network error, a timeout) is no sample, and an answer wholly from the response " +
  "cache is a copy of an earlier sample, not a new one"

/** How many of an agent's own samples there are and how many are correct. */
export const countSamples = (grades: ReadonlyArray<SampleGrade>): Samples => {
  let c = 0
  for (const s of grades) if (s.outcome === "correct") c++
  return { n: grades.length, c }
}

/** Whether a row holds an agent's own samples (their stored grades). */
export const hasAgentSamples = (row: EvaluationQuestionResult): boolean =>
  row.sampleGrades !== null && row.sampleGrades.length > 0

/**
 * The samples one stored row contributes (see SAMPLE_RULE): the agent's own samples when it drew
 * several and their grades were stored (`sampleGrades`, e.g. self-consistency's k replies), even
 * when its final answer failed; else the row itself, one sample, correct or not. A refused,
 * empty or cut-off reply is the model's answer, so a wrong sample (pass@1 then equals the
 * accuracy); any other failure (network, timeout, the provider) is not a sample of the model. A
 * row answered wholly from the response cache repeats an earlier reply and is no new sample.
 */
export const questionSamples = (row: EvaluationQuestionResult): Samples | null => {
  if (row.llmCalls > 0 && row.cachedCalls === row.llmCalls) return null
  if (hasAgentSamples(row)) return countSamples(row.sampleGrades!)
  if (row.error !== null) return ReplyFailure.REPLY_CATEGORIES.has(row.error.category) ? { n: 1, c: 0 } : null
  return { n: 1, c: row.isCorrect ? 1 : 0 }
}

/** The k reported besides 1 and the largest: the usual ones of the literature, below the largest. */
export const STANDARD_KS: ReadonlyArray<number> = [2, 5, 10, 20, 50, 100]

/** The k to report when a question has at most `most` samples: 1, the standard ones below `most`, and `most`. */
export const ksFor = (most: number): ReadonlyArray<number> =>
  most < 1 ? [] : [...new Set([1, ...STANDARD_KS.filter((k) => k < most), most])].sort((a, b) => a - b)

/** pass@k of a set of rows: what `evaluate show --json`, `report --json` and `experiment show --json` print. */
export interface Summary {
  /** The evaluations whose rows were pooled (an evaluation's repeats, oldest first). */
  readonly evaluations: ReadonlyArray<string>
  /** Questions with at least one sample. */
  readonly questions: number
  /** The most samples any question has: the largest k. */
  readonly maxSamples: number
  /** Whether some samples are an agent's own (its stored sample grades), not only one row per repeat. */
  readonly agentSamples: boolean
  /** pass@k for each k of `ksFor(maxSamples)`: the mean over the questions with at least k samples. */
  readonly values: ReadonlyArray<Statistics.PassAtK>
}

/** A running count of samples per question id, filled from the rows of one or more evaluations. */
export class Tally {
  private readonly byQuestion = new Map<string, { n: number; c: number }>()
  /** Whether a row gave more than one sample (an agent's own). */
  agentSamples = false

  /** Adds what one row contributes (`questionSamples`). */
  addRow(row: EvaluationQuestionResult): void {
    const s = questionSamples(row)
    if (s === null) return
    if (hasAgentSamples(row)) this.agentSamples = true
    this.add(row.questionId, s)
  }

  /** Adds samples of a question. */
  add(questionId: string, samples: Samples): void {
    if (samples.n === 0) return
    const s = this.byQuestion.get(questionId)
    if (s === undefined) this.byQuestion.set(questionId, { n: samples.n, c: samples.c })
    else {
      s.n += samples.n
      s.c += samples.c
    }
  }

  /** Adds every question of another tally (another repeat's). */
  addAll(other: Tally): void {
    for (const [q, s] of other.byQuestion) this.add(q, s)
    if (other.agentSamples) this.agentSamples = true
  }

  /** Each question's pooled samples. */
  questions(): ReadonlyArray<Samples> {
    return [...this.byQuestion.values()]
  }
}

/**
 * pass@1 … pass@k over pooled samples, k up to the most samples a question has (questions with
 * fewer than k samples left out of that k); null when no question has two samples, where pass@k
 * would only repeat the accuracy.
 */
export const summarize = (
  questions: ReadonlyArray<Samples>,
  evaluations: ReadonlyArray<string>,
  agentSamples = false
): Summary | null => {
  let most = 0
  for (const q of questions) most = Math.max(most, q.n)
  if (most < 2) return null
  return {
    evaluations,
    questions: questions.length,
    maxSamples: most,
    agentSamples,
    values: ksFor(most).map((k) => Statistics.meanPassAtK(questions, k))
  }
}

/** Whether two evaluations are repeats of each other: same benchmark, agent, model, parameters and answer kind. */
export const sameSetup = (a: Evaluation, b: Evaluation): boolean =>
  a.benchmarkId === b.benchmarkId &&
  a.agentConfig.agentType === b.agentConfig.agentType &&
  a.agentConfig.modelName === b.agentConfig.modelName &&
  JSON.stringify(a.agentConfig.modelParameters) === JSON.stringify(b.agentConfig.modelParameters) &&
  JSON.stringify(a.agentConfig.agentParameters) === JSON.stringify(b.agentConfig.agentParameters) &&
  a.answerKind === b.answerKind

/**
 * An evaluation's repeats, itself included, oldest first: in an experiment, the cells of that
 * experiment with the same setup (as `experiment show` pools them); outside one, the completed
 * evaluations with the same setup.
 */
export const repeatsOf = Effect.fn("PassAtK.repeatsOf")(function*(evaluation: Evaluation) {
  const all = yield* (yield* EvaluationRepository).list({ benchmarkName: evaluation.benchmarkName })
  const experiment = yield* (yield* ExperimentRepository).findByEvaluation(evaluation.id)
  const cells = Option.map(experiment, (x) => new Set(x.cells.map((c) => c.evaluationId)))
  const repeats = all.filter((e) =>
    e.id !== evaluation.id && sameSetup(e, evaluation) &&
    Option.match(cells, { onNone: () => e.status === "completed", onSome: (ids) => ids.has(e.id) })
  )
  return [...repeats, evaluation].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
})

/** pass@k over the rows of these evaluations, read a chunk at a time; null when no question has two samples. */
export const ofEvaluations = Effect.fn("PassAtK.ofEvaluations")(function*(evaluations: ReadonlyArray<Evaluation>) {
  const results = yield* ResultRepository
  const tally = new Tally()
  for (const e of evaluations) {
    yield* Stream.runForEach(results.stream(e.id), (row) => Effect.sync(() => tally.addRow(row)))
  }
  return summarize(tally.questions(), evaluations.map((e) => e.id), tally.agentSamples)
})

/** pass@k over an evaluation's repeats (and the samples of its own rows); null when no question has two samples. */
export const ofEvaluation = Effect.fn("PassAtK.ofEvaluation")(function*(evaluation: Evaluation) {
  return yield* ofEvaluations(yield* repeatsOf(evaluation))
})
