/**
 * The kind of answer a benchmark expects, which decides how a model's output is read and graded
 * (see `Grading` and docs/GRADING.md). A benchmark's kind is given at import or detected from its expected answers.
 *
 * Detection rules, tried in this order on the trimmed, non-empty expected answers:
 * 1. `multiple_choice`: every answer is a single letter A–J, optionally in brackets ("B", "(c)").
 * 2. `number`: every answer is one number literal: sign (ASCII or U+2212 minus), thousands
 *    separators ("1,200"), decimals, scientific notation ("1.5e-3"), a fraction ("3/4"), a
 *    trailing percent sign ("12.5%") or a leading currency sign ("$40").
 * 3. `label`: the answers form a small closed set of short words (letters only, at most three
 *    words each): at most 6 distinct values compared case-insensitively, and either each value
 *    occurs at least twice, or every value belongs to one of the well-known label vocabularies
 *    (True/False/Uncertain/Unknown, Yes/No/Maybe, Valid/Invalid,
 *    Entailment/Neutral/Contradiction, Positive/Negative/Neutral, Correct/Incorrect). The second
 *    clause lets a small sample ("True", "False", "Uncertain" once each) be recognised.
 * 4. `math`: at least one answer looks like LaTeX (`\frac`, `\sqrt`, `\pi`, `\boxed`, any other
 *    `\command`, `^`, `_{`), at least half are numbers or LaTeX-looking, and none reads like
 *    prose or code (a line break, or three plain words in a row), so that a text benchmark with
 *    a stray `x^2` or code with a `^` stays `text`.
 * 5. `text` otherwise, and for an empty list.
 */
import { Schema } from "effect"

/**
 * An answer kind: a built-in one or one a grader plugin adds ("code"), so an open string here;
 * whether a grader is registered for it is checked against the `GraderRegistry`.
 */
export const AnswerKind = Schema.String.pipe(
  Schema.pattern(/^[a-z][a-z0-9_-]{0,39}$/),
  Schema.annotations({ message: () => "an answer kind is 1-40 lowercase letters, digits, '_' or '-', starting with a letter" })
)
/** An answer kind. */
export type AnswerKind = typeof AnswerKind.Type

/** The built-in answer kinds, in detection order. */
export const builtIn = ["multiple_choice", "number", "label", "math", "text"] as const
/** A built-in answer kind. */
export type BuiltInKind = typeof builtIn[number]

/** Every built-in answer kind, in detection order. */
export const all: ReadonlyArray<BuiltInKind> = builtIn

/** Well-known closed label vocabularies (canonical spelling); used by detection and by the label grader. */
export const labelVocabularies: ReadonlyArray<ReadonlyArray<string>> = [
  ["True", "False", "Uncertain", "Unknown"],
  ["Yes", "No", "Maybe"],
  ["Valid", "Invalid"],
  ["Entailment", "Neutral", "Contradiction"],
  ["Positive", "Negative", "Neutral"],
  ["Correct", "Incorrect"]
]

const choiceLetter = /^[(\[]?\s*[A-Ja-j]\s*[)\]]?$/

const decimal = String.raw`(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?|\.\d+`
const numberLiteral = new RegExp(String.raw`^[-+\u2212]?[$€£]?(?:${decimal})(?:[eE][-+\u2212]?\d+)?\s?%?$`)
const fractionLiteral = /^[-+\u2212]?\d+\s*\/\s*\d+$/

/** Whether `s` is a single plain number literal in the sense of the detection rules. */
const isNumberLiteral = (s: string): boolean => {
  const t = s.trim()
  return numberLiteral.test(t) || fractionLiteral.test(t)
}

const labelLike = /^\p{L}[\p{L}'’-]*(?:\s+\p{L}[\p{L}'’-]*){0,2}$/u

const latexLike = /\\[A-Za-z]+|\^|_\{/
const prose = /\n|(?<![\\\p{L}])\p{L}{2,}\s+\p{L}{2,}\s+\p{L}{2,}/u

/** Whether `s` looks like a LaTeX math answer. */
const isLatexLike = (s: string): boolean => latexLike.test(s)

/** The answer kind that fits a benchmark's expected answers (rules in the module header). */
export const detect = (expectedAnswers: ReadonlyArray<string>): BuiltInKind => {
  const answers = expectedAnswers.map((a) => a.trim()).filter((a) => a !== "")
  if (answers.length === 0) return "text"
  if (answers.every((a) => choiceLetter.test(a))) return "multiple_choice"
  if (answers.every(isNumberLiteral)) return "number"
  if (answers.every((a) => labelLike.test(a))) {
    const counts = new Map<string, number>()
    for (const a of answers) {
      const key = a.toLowerCase()
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    if (counts.size <= 6) {
      const repeated = [...counts.values()].every((n) => n >= 2)
      const known = labelVocabularies.some((group) => {
        const lower = new Set(group.map((l) => l.toLowerCase()))
        return [...counts.keys()].every((k) => lower.has(k))
      })
      if (repeated || known) return "label"
    }
  }
  const mathy = answers.filter((a) => isNumberLiteral(a) || isLatexLike(a)).length
  if (answers.some(isLatexLike) && 2 * mathy >= answers.length && !answers.some((a) => prose.test(a))) {
    return "math"
  }
  return "text"
}
