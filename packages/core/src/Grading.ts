/**
 * Grading a question's answer: the built-in graders (one per built-in answer kind, see
 * `Graders` and `docs/GRADING.md`) as `Grader` values, and the entry point the orchestrator and
 * `evaluate rescore` share, so both grade alike.
 */
import { Effect } from "effect"
import * as AnswerKind from "./AnswerKind.js"
import type { Question } from "./Benchmark.js"
import * as Grader from "./Grader.js"
import * as Graders from "./Graders.js"

/** The built-in graders' version, stored with every result they grade. */
export const VERSION = Graders.VERSION

const descriptions: Record<AnswerKind.BuiltInKind, string> = {
  multiple_choice: "A letter A–J, or an option's text; the last committed choice, hedges and negations rejected.",
  number: "One number; decimals beyond the key's precision are rounded to it; units, separators and % read.",
  label: "One label of a closed set (True/False/Uncertain, Yes/No, …); synonyms such as Unknown read.",
  math: "A LaTeX or plain math answer (\\boxed{} last); equal values and reordered sums/products match.",
  text: "A short text answer; the key inside a sentence, a surname, or a consistent qualifier matches."
}

const builtInGrader = (kind: AnswerKind.BuiltInKind): Grader.Grader =>
  Grader.make({
    kind,
    version: VERSION,
    description: descriptions[kind],
    grade: ({ answer, question, rawOutput }) =>
      Effect.sync(() =>
        Graders.grade(kind, question.expectedAnswer, answer ?? rawOutput ?? "", { question: question.text })
      )
  })

/** The built-in graders, one per built-in answer kind, in detection order. */
export const builtIn: ReadonlyArray<Grader.Grader> = AnswerKind.builtIn.map(builtInGrader)

/**
 * The answer kind when it is known without the questions: the evaluation's override, else the
 * kind recorded at import; undefined when it must be detected from the expected answers.
 */
export const recordedKind = (
  metadata: Readonly<Record<string, unknown>>,
  override?: string | null
): string | undefined => {
  if (override !== undefined && override !== null) return override
  const recorded = metadata.answerKind
  return typeof recorded === "string" && recorded !== "" ? recorded : undefined
}

/** The question as a grader sees it. */
export const gradedQuestion = (
  question: Pick<Question, "text" | "expectedAnswer"> & { readonly id?: string; readonly metadata?: Readonly<Record<string, unknown>> }
): Grader.GradedQuestion => ({
  id: question.id ?? "",
  text: question.text,
  expectedAnswer: question.expectedAnswer,
  metadata: question.metadata ?? {}
})

/** Whether `answer` matches `expected`, the built-in answer kind detected from `expected` alone. */
export const isCorrect = (expected: string, answer: string): boolean =>
  Graders.grade(AnswerKind.detect([expected]), expected, answer).outcome === "correct"
