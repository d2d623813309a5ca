/**
 * Deciding whether an extracted answer matches the expected one. This is the baseline grader:
 * multiple-choice letters, numbers with tolerance, and normalised text.
 */

/** The grader's version, stored with results so that re-grading can tell old grades apart. */
export const VERSION = "basic-1"

const normalize = (s: string): string =>
  s
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s\u00a0]+/g, " ")
    .replace(/^[\s"'“”‘’`*_(\[]+|[\s"'“”‘’`*_)\].,;:!?]+$/g, "")
    .trim()

const letterOnly = /^\(?([a-j])\)?$/i

const parseNumber = (s: string): number | null => {
  const cleaned = s.replace(/[$€£,\s]/g, "").replace(/%$/, "")
  if (!/^[-+−]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(cleaned)) return null
  const n = Number(cleaned.replace("−", "-"))
  return Number.isFinite(n) ? n : null
}

/** The multiple-choice letter an answer gives ("B", "(B)", "B)", "B. text"), or null. */
export const choiceLetter = (answer: string): string | null => {
  const m = /^\s*\(?([A-Ja-j])\)?(?:[.):]|\s|$)/.exec(answer)
  if (m === null) return null
  // A lone letter, or a letter followed by punctuation: not the first letter of a word ("Because").
  const rest = answer.slice(m[0].length)
  if (m[0].trim().length === 1 && /^[A-Za-z]/.test(rest)) return null
  return m[1]!.toUpperCase()
}

/** Whether `answer` matches `expected`. */
export const isCorrect = (expected: string, answer: string): boolean => {
  const e = expected.trim()
  const lm = letterOnly.exec(e)
  if (lm !== null) return choiceLetter(answer) === lm[1]!.toUpperCase()
  const en = parseNumber(e)
  if (en !== null) {
    const an = parseNumber(normalize(answer))
    if (an === null) return false
    return Math.abs(an - en) <= 1e-6 * Math.max(1, Math.abs(en))
  }
  return normalize(expected) === normalize(answer)
}
