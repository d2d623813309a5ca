/**
 * Grading: the built-in graders, one per built-in answer kind, as `Grader` values, and the one
 * function that grades a reply under a kind's policy (written down in docs/GRADING.md). Every
 * grader finds the final committed answer with the same marker grammar (`internal/grading/markers`,
 * also behind `Answer.extract`): the last explicit marker ("Answer:", "Final answer:", "the answer
 * is", `\boxed{}`, "####") wins, then a conclusion ("so C"); negated candidates are not answers
 * and a hedge between candidates is not a committed answer. "No answer found" is an outcome of its
 * own, never counted as right.
 */
import { Effect } from "effect"
import * as Answer from "./Answer.js"
import * as AnswerKind from "./AnswerKind.js"
import type { Question } from "./Benchmark.js"
import * as Grader from "./Grader.js"
import { expectedChoice, readChoice } from "./internal/grading/choice.js"
import { extractLabel, labelKey, labelSet } from "./internal/grading/label.js"
import { extractMath, mathEqual } from "./internal/grading/math.js"
import { isNonAnswer } from "./internal/grading/markers.js"
import { keyDecimals, numberMatches, numberTokens, readNumber } from "./internal/grading/number.js"
import { extractText, textMatches } from "./internal/grading/text.js"

/** The built-in graders' version, stored with every grade they give (the policy in docs/GRADING.md). */
export const VERSION = "graders-2"

/** Grading options; every field is optional. */
export interface Options {
  /** The question's text: its option lines ("(B) Mitochondria") let a choice be given by its text. */
  readonly question?: string | undefined
  /** The benchmark's label set; default: the well-known vocabulary that holds the expected label. */
  readonly labels?: ReadonlyArray<string> | undefined
  /** Relative tolerance for numeric comparison (default 1e-6). */
  readonly relativeTolerance?: number | undefined
  /** Absolute tolerance for numeric comparison, which matters near zero (default 1e-9). */
  readonly absoluteTolerance?: number | undefined
}

const make = (outcome: Grader.Outcome, extracted: string | null, grader: string, reason?: string): Grader.Grade =>
  reason === undefined ? { outcome, extracted, grader, version: VERSION } : { outcome, extracted, grader, version: VERSION, reason }

const gradeText = (expected: string, output: string, question?: string): Grader.Grade => {
  const extracted = extractText(output)
  if (extracted === null) return make("no_answer", null, "text")
  if (textMatches(expected, extracted, question)) return make("correct", extracted, "text")
  return isNonAnswer(extracted) ? make("no_answer", null, "text") : make("incorrect", extracted, "text")
}

const gradeMath = (expected: string, output: string, options: Options): Grader.Grade => {
  const extracted = extractMath(output)
  if (extracted === null) return make("no_answer", null, "math")
  return make(mathEqual(expected, extracted, options.relativeTolerance, options.absoluteTolerance) ? "correct" : "incorrect", extracted, "math")
}

/**
 * Grades one reply against one expected answer under the policy of a built-in `kind`. An
 * expected answer the kind cannot read falls back to another grader, named in the grade: a
 * multiple-choice key that is not a letter (nor an option's text) to `text`, a number key that
 * is not one number to `math`.
 */
export const grade = (kind: AnswerKind.BuiltInKind, expected: string, output: string, options: Options = {}): Grader.Grade => {
  switch (kind) {
    case "multiple_choice": {
      const letter = expectedChoice(expected, options.question)
      if (letter === null) return gradeText(expected, output, options.question)
      const choice = readChoice(output, options.question)
      if (choice === null) return make("no_answer", null, kind)
      if (choice._tag === "hedge") return make("incorrect", choice.letters.join(" or "), kind, "hedges between choices")
      return make(choice.letter === letter ? "correct" : "incorrect", choice.letter, kind)
    }
    case "number": {
      const tokens = numberTokens(expected)
      if (tokens.length !== 1) return gradeMath(expected, output, options)
      const got = readNumber(output)
      if (got === null) return make("no_answer", null, kind)
      if (got._tag === "hedge") return make("incorrect", got.texts.join(" or "), kind, "hedges between numbers")
      const correct = numberMatches(tokens[0]!, keyDecimals(expected), got.token, options.relativeTolerance, options.absoluteTolerance)
      return make(correct ? "correct" : "incorrect", got.token.text, kind)
    }
    case "label": {
      const labels = labelSet(expected, options.labels)
      const extracted = extractLabel(output, labels)
      if (extracted === null) return make("no_answer", null, kind)
      return make(labelKey(extracted) === labelKey(expected) ? "correct" : "incorrect", extracted, kind)
    }
    case "math":
      return gradeMath(expected, output, options)
    case "text":
      return gradeText(expected, output, options.question)
  }
}

/**
 * What a grader reads: the model's whole reply when the agent's answer is what the shared
 * grammar takes from it (the reply has the context: options, hedges, negations), else the
 * agent's own answer (a vote, a structured field), else the reply.
 */
const gradedText = (answer: string | null, rawOutput: string | null): string => {
  if (rawOutput === null) return answer ?? ""
  if (answer === null) return rawOutput
  return Answer.extract(rawOutput) === answer ? rawOutput : answer
}

const descriptions: Record<AnswerKind.BuiltInKind, string> = {
  multiple_choice: "A letter A–J, or an option's text; the last committed choice; negated choices and hedges rejected.",
  number: "One number; a key with d decimals is taken as rounded to d; units, separators, fractions and % read.",
  label: "One label of a closed set (True/False/Uncertain, Yes/No, …); Unknown / cannot be determined = Uncertain.",
  math: "A LaTeX, plain or Unicode math answer (last \\boxed{}); equal values and reordered sums/products match.",
  text: "A short text answer; the key in a sentence, with a qualifier, or a surname for a full name matches."
}

const builtInGrader = (kind: AnswerKind.BuiltInKind): Grader.Grader =>
  Grader.make({
    kind,
    version: VERSION,
    description: descriptions[kind],
    grade: ({ answer, question, rawOutput }) =>
      Effect.sync(() => grade(kind, question.expectedAnswer, gradedText(answer, rawOutput), { question: question.text }))
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
  grade(AnswerKind.detect([expected]), expected, answer).outcome === "correct"
