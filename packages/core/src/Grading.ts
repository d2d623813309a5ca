/**
 * Grading a question's answer: the agent's extracted answer (or, when it found none, the raw
 * output) goes to the grader of the benchmark's answer kind (see `Graders` and `AnswerKind`).
 * One entry point for the orchestrator and `evaluate rescore`, so both grade alike.
 */
import * as AnswerKind from "./AnswerKind.js"
import type { Question } from "./Benchmark.js"
import * as Graders from "./Graders.js"

/** The graders' version, stored with every result. */
export const VERSION = Graders.VERSION

/**
 * The answer kind when it is known without the questions: the evaluation's override, else the
 * kind recorded at import; undefined when it must be detected from the expected answers.
 */
export const recordedKind = (
  metadata: Readonly<Record<string, unknown>>,
  override?: AnswerKind.AnswerKind | null
): AnswerKind.AnswerKind | undefined => {
  if (override !== undefined && override !== null) return override
  const recorded = metadata.answerKind
  return typeof recorded === "string" && (AnswerKind.all as ReadonlyArray<string>).includes(recorded)
    ? (recorded as AnswerKind.AnswerKind)
    : undefined
}

/** Grades one question's answer under the benchmark's answer kind. */
export const gradeAnswer = (
  kind: AnswerKind.AnswerKind,
  question: Pick<Question, "text" | "expectedAnswer">,
  answer: string | null,
  rawOutput: string | null
): Graders.Grade => {
  const output = answer ?? rawOutput ?? ""
  return Graders.grade(kind, question.expectedAnswer, output, { question: question.text })
}

/** Whether `answer` matches `expected`, the answer kind detected from `expected` alone. */
export const isCorrect = (expected: string, answer: string): boolean =>
  Graders.grade(AnswerKind.detect([expected]), expected, answer).outcome === "correct"
