/**
 * Grading a model's output against a question's expected answer, one grader per answer kind.
 * The output may be the model's whole final reply or an answer an agent already extracted: every
 * grader first finds the answer in it, then compares. "No answer found" is an outcome of its own,
 * never counted as wrong.
 *
 * Finding the answer, for every kind:
 * 1. Answer markers, the last one first: "Answer:" / "Final answer:" (also in bold), "the (final |
 *    correct) answer is …", "#### …" at the start of a line, and `\boxed{…}` (balanced braces);
 *    for multiple choice also "the (correct) option/choice is …". A marker introduces the rest
 *    of its line (or the next non-empty line when the rest is empty). When the last marker's
 *    text holds no answer of the kind, the one before it is tried, and so on; when it says
 *    outright that there is none ("N/A", "unknown", "I don't know", …) the outcome is
 *    `no_answer` at once.
 * 2. Without a usable marker: a refusal ("I can't answer…", "I don't know") in a short output
 *    or in its last line is `no_answer`; otherwise each kind has a fallback on the output's text
 *    (documented at its extractor).
 *
 * Comparison, per kind: multiple choice compares letters; numbers compare values within a
 * relative tolerance (default 1e-6) or an absolute one (default 1e-9), where a percentage
 * stands for both its face value and its value / 100 ("50%" matches "50" and "0.5", but a bare
 * "0.5" does not match "50"); labels compare case-insensitively; math compares values when both
 * sides evaluate to a number (`\frac{1}{2}` = 0.5 = 1/2, `\sqrt{4}` = 2) and normalised LaTeX
 * otherwise; text compares normalised strings exactly (`normalizeText`).
 *
 * Limits, on purpose: negations are not understood ("the answer is not B", "not true"); in a
 * line without a marker an initial such as "E. coli" reads as a choice; number words beyond
 * "twenty" are not read; a comma is always a thousands or list separator, never a decimal
 * comma; "- 5" with a space is not negative; math has no algebra ("x+1" ≠ "1+x") and `\pi`
 * stays symbolic; text answers must match exactly after normalisation, so "The capital is
 * Paris." is not "Paris".
 */
import { labelVocabularies, type BuiltInKind as AnswerKind } from "./AnswerKind.js"
import { Grade, Outcome } from "./Grader.js"

export { Grade, Outcome }

/** The graders' version, stored with each grade so that re-grading can tell old grades apart. */
export const VERSION = "graders-1"

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

/** Default relative tolerance for numbers. */
export const DEFAULT_RELATIVE_TOLERANCE = 1e-6
/** Default absolute tolerance for numbers. */
export const DEFAULT_ABSOLUTE_TOLERANCE = 1e-9

// ---------------------------------------------------------------------------------------------
// Shared: markers, refusals, lines

interface Marker {
  readonly index: number
  /** The text the marker introduces. */
  readonly text: string
  /** Whether the text is a `\boxed{}`'s whole content (no explanation to cut off). */
  readonly boxed: boolean
}

const colonMarker = /\b(?:final\s+answer|answer)\s*(?:\*\*|__)?\s*[:：]/gi
const phraseMarker =
  /(?:\b(?:the|my|our|final|correct|right|best)\s+(?:(?:final|correct|right|best)\s+)?answer|^[ \t*_#>]*answer)\s+(?:is|would\s+be|should\s+be|must\s+be|will\s+be)\b\s*[:：]?/gim
const choicePhraseMarker =
  /\b(?:the|my|our)\s+(?:(?:final|correct|right|best)\s+)?(?:option|choice)\s+(?:is|would\s+be|should\s+be|must\s+be|will\s+be)\b\s*[:：]?/gi
const hashMarker = /^[ \t]*####[ \t]*/gm
const boxStart = /\\(?:boxed|fbox)\s*\{/g

const stripDecoration = (s: string): string => s.replace(/^[\s*_#>]+/, "").replace(/[\s*_]+$/, "")

/** The content of the balanced braces opening at `open` (the index of `{`), or null if unclosed. */
const braced = (s: string, open: number): { readonly content: string; readonly end: number } | null => {
  let depth = 0
  for (let i = open; i < s.length; i++) {
    const ch = s[i]
    if (ch === "\\") {
      i++
      continue
    }
    if (ch === "{") depth++
    else if (ch === "}") {
      depth--
      if (depth === 0) return { content: s.slice(open + 1, i), end: i + 1 }
    }
  }
  return null
}

/** The text a line marker introduces: the rest of its line, or the next non-empty line. */
const restOfLine = (s: string, from: number): string => {
  const eol = s.indexOf("\n", from)
  const rest = stripDecoration(s.slice(from, eol === -1 ? s.length : eol))
  if (rest !== "" || eol === -1) return rest
  const next = s.slice(eol + 1).split("\n").find((l) => l.trim() !== "")
  return next === undefined ? "" : stripDecoration(next)
}

/** Every answer marker in the output with the text it introduces, last first. */
const markers = (s: string, choice: boolean): Array<Marker> => {
  const found: Array<Marker> = []
  const patterns = choice
    ? [colonMarker, phraseMarker, choicePhraseMarker, hashMarker]
    : [colonMarker, phraseMarker, hashMarker]
  for (const pattern of patterns) {
    for (const m of s.matchAll(pattern)) {
      found.push({ index: m.index, text: restOfLine(s, m.index + m[0].length), boxed: false })
    }
  }
  for (const m of s.matchAll(boxStart)) {
    const box = braced(s, m.index + m[0].length - 1)
    if (box !== null) found.push({ index: m.index, text: box.content.trim(), boxed: true })
  }
  return found.sort((a, b) => b.index - a.index)
}

const refusal =
  /\bI\s*(?:can(?:no|['’])t|cannot|am\s+(?:unable|not\s+able)|['’]m\s+(?:unable|not\s+able)|won['’]t|will\s+not)\b[^.\n]{0,40}?\b(?:answer|help|assist|provide|comply|solve|determine|do\s+that)\b|\bI\s+(?:do\s+not|don['’]t)\s+know\b/i

/** Whether the output refuses or gives up: checked on short outputs whole, on long ones in the last line. */
const isRefusal = (s: string): boolean => refusal.test(s.length <= 300 ? s : lastLine(s))

const nonAnswer =
  /^(?:n\/?a|none|null|nothing|unknown|no answer|not sure|unsure|i\s+(?:do not|don['’]t)\s+know|cannot be determined|can['’]?not be determined|insufficient (?:information|data)|unanswerable|-+|\?+)$/i

/** Whether an extracted answer says there is no answer ("N/A", "I don't know", …). */
const isNonAnswer = (s: string): boolean => nonAnswer.test(stripDecoration(s).replace(/[.!]+$/, "").trim())

const lines = (s: string): Array<string> => s.split("\n").map((l) => l.trim()).filter((l) => l !== "")
const lastLine = (s: string): string => lines(s).at(-1) ?? ""
const firstLine = (s: string): string => lines(s)[0] ?? ""

/** NFKC, with superscript squares and cubes kept as powers ("x²" → "x^2", not "x2"). */
const unicode = (s: string): string => s.replace(/²/g, "^2").replace(/³/g, "^3").normalize("NFKC")

/** Unicode-normalised output with plain newlines. */
const prepare = (output: string): string => unicode(output).replace(/\r\n?/g, "\n").trim()

/**
 * Runs the shared search: markers last first (`fromMarker` reads one marker's text), then the
 * refusal check, then the kind's fallback on the whole output.
 */
const search = <A>(
  output: string,
  choice: boolean,
  fromMarker: (marker: Marker) => A | null,
  fallback: (text: string) => A | null
): A | null => {
  const s = prepare(output)
  if (s === "") return null
  const found = markers(s, choice)
  for (let i = 0; i < found.length; i++) {
    const marker = found[i]!
    const value = fromMarker(marker)
    if (value !== null) return value
    if (i === 0 && isNonAnswer(marker.text)) return null
  }
  if (isRefusal(s)) return null
  return fallback(s)
}

/** Removes a trailing explanation: ", because …", " since …", "; …", " — …", ". The …". */
const cutExplanation = (s: string): string =>
  s.replace(/(?:,?\s+(?:because|since|as|which|given|so)\b|;|\.\s+(?=\p{Lu}|\p{Ll}{2,})|\s(?:[–—]|--)\s).*$/su, "").trim()

// ---------------------------------------------------------------------------------------------
// Multiple choice

/** Words after which a lone "A" is still a choice ("A is correct"), not the article ("A good answer"). */
const afterChoiceA = new Set([
  "is", "was", "because", "since", "as", "and", "or", "seems", "appears", "would", "should", "must",
  "fits", "matches", "has", "remains"
])
/** Words after which a lone "I" is still a choice ("I is correct"), not the pronoun ("I would"). */
const afterChoiceI = new Set(["is", "was", "because", "since"])

interface Candidate {
  readonly letter: string
  readonly index: number
}

const choicePatterns: ReadonlyArray<RegExp> = [
  /(?<![\w\\])[(\[]\s*([A-Ja-j])\s*[)\]]/dg, // (B) [B] (b)
  /\*\*\s*[(\[]?([A-J])[)\]]?\s*[.:)]?\s*\*\*/dg, // **B**
  /\$\s*[(\[]?([A-J])[)\]]?\s*\$/dg, // $B$
  /\\(?:boxed|text|textbf|mathrm|mathbf)\s*\{\s*[(\[]?([A-J])[)\]]?\s*\}/dg, // \boxed{B}
  /\b[Oo]ption\s+[(\[]?([A-J])\b/dg, // Option B
  /\b[Cc]hoice\s+[(\[]?([A-J])\b/dg, // choice B
  /(?<![\w'’.\\])([A-J])[).:](?![\w])/dg // B)  B.  B:
]
const bareLetter = /(?<![\w'’.\-\\/])([A-J])(?![\w'’\-/])/dg

/** Letters that stand as choices in `s`, in order; never a letter inside a word, nor "A"/"I" used as words. */
const choiceCandidates = (s: string): Array<Candidate> => {
  const byIndex = new Map<number, string>()
  for (const pattern of choicePatterns) {
    for (const m of s.matchAll(pattern)) {
      const [start] = m.indices![1]!
      byIndex.set(start, m[1]!.toUpperCase())
    }
  }
  for (const m of s.matchAll(bareLetter)) {
    const [start, end] = m.indices![1]!
    const letter = m[1]!
    if (letter === "A" || letter === "I") {
      // "A good answer", "I think": the article or the pronoun, unless a connective follows.
      const next = /^\s+([a-z]+)/.exec(s.slice(end))
      if (next !== null && !(letter === "A" ? afterChoiceA : afterChoiceI).has(next[1]!)) continue
    }
    if (!byIndex.has(start)) byIndex.set(start, letter)
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([index, letter]) => ({ letter, index }))
}

/** The options listed in a question: lines like "(B) Mitochondria", "B. …", "B) …", else inline "(A) … (B) …". */
export const parseOptions = (question: string): ReadonlyMap<string, string> => {
  const options = new Map<string, string>()
  for (const m of question.matchAll(/^[ \t]*[(\[]?([A-J])[)\].:][ \t]+(.+?)[ \t]*$/gm)) {
    options.set(m[1]!, m[2]!)
  }
  if (options.size >= 2) return options
  const inline = new Map<string, string>()
  for (const m of question.matchAll(/\(([A-J])\)\s*(.+?)(?=\s*\([A-J]\)|\n|$)/g)) {
    inline.set(m[1]!, m[2]!.trim())
  }
  return inline.size >= 2 ? inline : options
}

/** The option whose text the answer gives: an exact match after normalisation, or else the only one it contains. */
const optionByText = (s: string, options: ReadonlyMap<string, string>, exactOnly: boolean): string | null => {
  if (options.size === 0) return null
  const answer = normalizeText(s)
  if (answer === "") return null
  for (const [letter, text] of options) {
    if (normalizeText(text) === answer) return letter
  }
  if (exactOnly) return null
  const padded = ` ${answer} `
  const contained = [...options].filter(([, text]) => {
    const t = normalizeText(text)
    return t !== "" && padded.includes(` ${t} `)
  })
  // "Carbon dioxide" also contains "Carbon": keep only options no other match contains.
  const maximal = contained.filter(([, t]) =>
    !contained.some(([, u]) => u !== t && ` ${normalizeText(u)} `.includes(` ${normalizeText(t)} `))
  )
  return maximal.length === 1 ? maximal[0]![0] : null
}

const choiceIn = (
  s: string,
  mode: "first" | "leadingOrLast" | "leading",
  options: ReadonlyMap<string, string>
): string | null => {
  const byText = optionByText(s, options, true)
  if (byText !== null) return byText
  // A text that is nothing but a letter, in any case: "b", "(b).", "**b**".
  const alone = /^[(\[]?\s*([A-Ja-j])\s*[)\]]?[.:]?$/.exec(s.replace(/[*_$]/g, "").trim())
  if (alone !== null) return alone[1]!.toUpperCase()
  const candidates = choiceCandidates(s)
  if (candidates.length > 0) {
    const first = candidates[0]!
    const leading = !/[\p{L}\p{N}]/u.test(s.slice(0, first.index).replace(/\\boxed\s*\{/g, ""))
    if (mode === "first" || leading) return first.letter
    return mode === "leadingOrLast" ? candidates.at(-1)!.letter : null
  }
  return mode === "leading" ? null : optionByText(s, options, false)
}

/**
 * The letter (A–J) a multiple-choice output chooses, or null. In a marker's text the first
 * choice wins; without a marker, the last line is read (a choice at its start, else its last
 * choice), then the first line if it starts with a choice ("B. Mitochondria\n\nBecause …").
 * Choices are "(B)", "[B]", "B)", "B.", "B:", "**B**", "$B$", "\boxed{B}", "Option B", a lone
 * "B", and, when the question's options are given, an option's text ("Mitochondria" → B).
 */
export const extractChoice = (output: string, options?: Pick<Options, "question">): string | null => {
  const listed = options?.question === undefined ? new Map<string, string>() : parseOptions(options.question)
  return search(
    output,
    true,
    (marker) => choiceIn(marker.text, "first", listed),
    (s) => choiceIn(lastLine(s), "leadingOrLast", listed) ?? choiceIn(firstLine(s), "leading", listed)
  )
}

// ---------------------------------------------------------------------------------------------
// Numbers

/** A number read from text: its value, whether it was written as a percentage, and as written. */
interface NumberToken {
  readonly value: number
  readonly percent: boolean
  readonly text: string
}

/** Text that none of `toPlain`'s rewrites can touch: ASCII without `\`, `{`, `$` or `^` (most replies). */
const PLAIN = /^[^\\{$^\u0080-\uffff]*$/

/** LaTeX and typography that hide plain numbers: `\frac{3}{4}` → `3/4`, `1{,}200` → `1,200`, `−` → `-`. */
const toPlain = (s: string): string =>
  PLAIN.test(s) ? s : unicode(s)
    .replace(/[\u2212\u2012\u2013\ufe63\uff0d](?=\s*[\d.\\])/g, "-")
    .replace(/\\[dt]frac/g, "\\frac")
    .replace(/\\frac\s*\{\s*([-+]?[\d.,]+)\s*\}\s*\{\s*([-+]?[\d.,]+)\s*\}/g, "$1/$2")
    .replace(/\\frac\s*(\d)\s*(\d)/g, "$1/$2")
    .replace(/\{,\}/g, ",")
    .replace(/(\d)\\[,;!](?=\d{3}(?!\d))/g, "$1")
    .replace(/\\(?:left|right|displaystyle|[,;:! ])/g, " ")
    .replace(/\\(?:times|cdot)/g, "×")
    .replace(/\\(?:text|textbf|mathrm|mathbf|mbox|operatorname)\s*\{([^{}]*)\}/g, " $1 ")
    .replace(/\\%/g, "%")
    .replace(/\\\$/g, "$")
    .replace(/\^\{([^{}]*)\}/g, "^$1")
    .replace(/\$/g, " ")

const NUMBER = new RegExp(
  String.raw`(?<![\w.^/)\]}\\])([-+]?)` +
    String.raw`(\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)` +
    String.raw`(?:[eE]([-+]?\d+)|\s*[×xX*]\s*10\s*\^\s*\(?([-+]?\d+)\)?|\^\(?([-+]?\d+)\)?)?` +
    String.raw`(?:\s*\/\s*(\d+(?:\.\d+)?)(?!\.?\d))?` +
    String.raw`(?:\s+(thousand|million|billion|trillion)\b)?` +
    String.raw`(\s?%|\s*percent\b)?`,
  "g"
)

const scales: Record<string, number> = { thousand: 1e3, million: 1e6, billion: 1e9, trillion: 1e12 }

const numberTokens = (s: string): Array<NumberToken> => {
  const tokens: Array<NumberToken> = []
  for (const m of toPlain(s).matchAll(NUMBER)) {
    const [text, sign, digits, exp, sci, power, denominator, scale, percent] = m
    const mantissa = digits!.replace(/,/g, "")
    let value = exp !== undefined || sci !== undefined ? Number(`${mantissa}e${exp ?? sci}`) : Number(mantissa)
    if (power !== undefined) value = Math.pow(value, Number(power))
    if (denominator !== undefined) value = value / Number(denominator)
    if (scale !== undefined) value = value * scales[scale]!
    if (sign === "-") value = -value
    if (!Number.isFinite(value)) continue
    tokens.push({ value, percent: percent !== undefined, text: text!.trim() })
  }
  return tokens
}

const numberWords: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17,
  eighteen: 18, nineteen: 19, twenty: 20
}

const numberWord = (text: string): NumberToken | null => {
  const word = numberWords[stripDecoration(text).replace(/[.!]+$/, "").trim().toLowerCase()]
  return word === undefined ? null : { value: word, percent: false, text: String(word) }
}

/** The number a marker's text gives: before any explanation, after the last "=", the first number. */
const numberInMarked = ({ boxed, text }: Marker): NumberToken | null => {
  const head = boxed ? text : cutExplanation(text)
  let part = numberTokens(head).length > 0 ? head : text
  const eq = Math.max(part.lastIndexOf("="), part.lastIndexOf("≈"))
  if (eq >= 0 && numberTokens(part.slice(eq + 1)).length > 0) part = part.slice(eq + 1)
  return numberTokens(part)[0] ?? numberWord(text)
}

const readNumber = (output: string): NumberToken | null =>
  search(output, false, numberInMarked, (s) => numberTokens(s).at(-1) ?? numberWord(s))

/**
 * The final number in an output, as written (without units), or null. In a marker's text the
 * first number after any "=" wins ("Answer: 5 + 7 = 12" → 12, "Answer: 12 cm" → 12); without a
 * marker, the last number in the output. Read: signs (also U+2212), thousands separators,
 * decimals, scientific notation ("1.2e5", "1.2 × 10^5"), fractions ("3/4", `\frac{3}{4}`),
 * percentages, currency signs, units after the number, scale words ("1.5 million"), and the
 * words zero–twenty as a whole answer.
 */
export const extractNumber = (output: string): string | null => readNumber(output)?.text ?? null

/** The value of a text that holds exactly one number ("1,200", "-3/4", "50%", "$12", "12 cm"), or null. */
export const parseNumber = (s: string): number | null => {
  const tokens = numberTokens(s)
  return tokens.length === 1 ? tokens[0]!.value : null
}

/** Whether two numbers agree within the tolerances: |a − b| ≤ max(abs, rel · max(|a|, |b|)). */
export const closeEnough = (
  a: number,
  b: number,
  relativeTolerance = DEFAULT_RELATIVE_TOLERANCE,
  absoluteTolerance = DEFAULT_ABSOLUTE_TOLERANCE
): boolean => Math.abs(a - b) <= Math.max(absoluteTolerance, relativeTolerance * Math.max(Math.abs(a), Math.abs(b)))

/** A percentage stands for its face value and for its value / 100 ("50%" is 50 and 0.5). */
const readings = (n: NumberToken): ReadonlyArray<number> => (n.percent ? [n.value, n.value / 100] : [n.value])

// ---------------------------------------------------------------------------------------------
// Labels

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** The label set used for an expected label: the given set, else its well-known vocabulary, else itself. */
export const labelSet = (expected: string, labels?: ReadonlyArray<string>): ReadonlyArray<string> => {
  const e = expected.trim()
  const base = labels ?? labelVocabularies.find((g) => g.some((l) => l.toLowerCase() === e.toLowerCase())) ?? []
  return base.some((l) => l.toLowerCase() === e.toLowerCase()) ? base : [...base, e]
}

const labelMatches = (s: string, labels: ReadonlyArray<string>): Array<{ readonly label: string; readonly index: number }> => {
  const found: Array<{ label: string; index: number; length: number }> = []
  for (const label of labels) {
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(label.trim())}(?![\\p{L}\\p{N}])`, "giu")
    for (const m of s.matchAll(pattern)) found.push({ label, index: m.index, length: m[0].length })
  }
  // Longest label first at the same place ("Not true" over "true" when both are labels).
  return found.sort((a, b) => a.index - b.index || b.length - a.length)
    .filter((m, i, all) => i === 0 || all[i - 1]!.index + all[i - 1]!.length <= m.index)
}

/**
 * The label an output gives, spelled as in `labels`, or null. Matching is case-insensitive on
 * whole words. In a marker's text the first label wins ("Answer: Yes, because no …" → Yes);
 * without a marker, the last label in the last line, then a label that starts the first line.
 */
export const extractLabel = (output: string, labels: ReadonlyArray<string>): string | null =>
  search(
    output,
    false,
    (marker) => labelMatches(marker.text, labels)[0]?.label ?? null,
    (s) => {
      const last = labelMatches(lastLine(s), labels).at(-1)
      if (last !== undefined) return last.label
      const first = firstLine(s)
      const lead = labelMatches(first, labels)[0]
      return lead !== undefined && !/[\p{L}\p{N}]/u.test(first.slice(0, lead.index)) ? lead.label : null
    }
  )

// ---------------------------------------------------------------------------------------------
// Math

/**
 * A LaTeX answer in canonical spelling: no `$`/`\(`/`\[` delimiters, `\dfrac`/`\tfrac` → `\frac`,
 * no `\left`/`\right`/`\displaystyle`, no spacing commands or spaces, `^{2}` → `^2`, `\frac12` →
 * `\frac{1}{2}`, `\sqrt2` → `\sqrt{2}`, units (`\text{ cm}`), degrees and `\%` dropped,
 * `\text{…}` unwrapped, thousands separators and a trailing full stop removed, and a leading
 * "x =" dropped.
 */
export const normalizeMath = (s: string): string => {
  let t = unicode(s)
    .replace(/\u2044/g, "/")
    .replace(/\u2212/g, "-")
    .trim()
  const box = /^\\boxed\s*\{/.exec(t)
  if (box !== null) {
    const inner = braced(t, box[0].length - 1)
    if (inner !== null && inner.end === t.length) t = inner.content
  }
  t = t
    .replace(/^\$+|\$+$/g, "")
    .replace(/^\\\(|\\\)$/g, "")
    .replace(/^\\\[|\\\]$/g, "")
    .replace(/\\[dt]frac/g, "\\frac")
    .replace(/\\(?:left|right|bigl|bigr|Bigl|Bigr|big|Big)(?![A-Za-z])/g, "")
    .replace(/\\displaystyle/g, "")
    .replace(/\\(?:[,;:! ]|quad|qquad)/g, "")
    .replace(/\\(?:text|mbox|mathrm)\s*\{\s+[^{}]*\}/g, "") // "5\text{ cm}": a unit
    .replace(/\^\s*\{?\s*\\circ\s*\}?|°|\\circ/g, "")
    .replace(/\\%|%/g, "")
    .replace(/\\\$/g, "")
    .replace(/\\(?:text|textbf|mathrm|mathbf|mbox)\s*\{([^{}]*)\}/g, "$1")
    .replace(/\s+/g, "")
    .replace(/\{,\}/g, ",")
    .replace(/([\^_])\{([^{}])\}/g, "$1$2")
    .replace(/\\frac(\d)(\d)/g, "\\frac{$1}{$2}")
    .replace(/\\frac\{([^{}]*)\}(\d)/g, "\\frac{$1}{$2}")
    .replace(/\\frac(\d)\{/g, "\\frac{$1}{")
    .replace(/\\sqrt(\d|[a-zA-Z](?![a-zA-Z]))/g, "\\sqrt{$1}")
    .replace(/(?:\.|\\\\)+$/, "")
  if (/^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(t)) t = t.replace(/,/g, "")
  const assignment = /^[a-zA-Z]=(.+)$/.exec(t)
  if (assignment !== null && !assignment[1]!.includes("=")) t = assignment[1]!
  return t
}

/**
 * The numeric value of a normalised math answer built from numbers, + − × ÷ (`\cdot`, `\times`,
 * `/`), `^`, brackets, `\frac{}{}`, `\sqrt{}` and `\sqrt[n]{}`, with implicit multiplication
 * ("2\sqrt{3}"); null for anything else (symbols such as `\pi` or `x` stay symbolic).
 */
export const evaluateMath = (normalized: string): number | null => {
  const s = normalized
  let i = 0
  const fail = (): never => {
    throw new EvalError("not numeric")
  }
  const peek = (word: string): boolean => s.startsWith(word, i)
  const eat = (word: string): boolean => {
    if (!peek(word)) return false
    i += word.length
    return true
  }
  const expect = (word: string): void => {
    if (!eat(word)) fail()
  }
  const startsAtom = (): boolean => /^(?:[\d.({]|\\frac|\\sqrt)/.test(s.slice(i))
  const group = (open: string, close: string): number => {
    expect(open)
    const v = expr()
    expect(close)
    return v
  }
  const atom = (): number => {
    const num = /^(?:\d+(?:\.\d+)?|\.\d+)/.exec(s.slice(i))
    if (num !== null) {
      i += num[0].length
      return Number(num[0])
    }
    if (peek("(")) return group("(", ")")
    if (peek("{")) return group("{", "}")
    if (eat("\\frac")) return group("{", "}") / group("{", "}")
    if (eat("\\sqrt")) {
      const index = peek("[") ? group("[", "]") : 2
      const radicand = group("{", "}")
      return index === 2 ? Math.sqrt(radicand) : Math.pow(radicand, 1 / index)
    }
    return fail()
  }
  const power = (): number => {
    const base = atom()
    if (eat("^")) return Math.pow(base, unary())
    return base
  }
  const unary = (): number => {
    if (eat("-")) return -unary()
    if (eat("+")) return unary()
    return power()
  }
  const term = (): number => {
    let v = unary()
    for (;;) {
      if (eat("\\cdot") || eat("\\times") || eat("*") || eat("×")) v *= unary()
      else if (eat("/") || eat("\\div") || eat("÷")) v /= unary()
      else if (startsAtom()) v *= power()
      else return v
    }
  }
  const expr = (): number => {
    let v = term()
    for (;;) {
      if (eat("+")) v += term()
      else if (eat("-")) v -= term()
      else return v
    }
  }
  try {
    if (s === "") return null
    const v = expr()
    return i === s.length && Number.isFinite(v) ? v : null
  } catch {
    return null
  }
}

const cleanMath = (s: string, boxed = false): string | null => {
  const inline = boxed ? null : /\$([^$]+)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]/s.exec(s)
  const t = (inline !== null ? (inline[1] ?? inline[2] ?? inline[3])! : boxed ? s : cutExplanation(s)).trim()
  const cleaned = stripDecoration(t).replace(/[.,;]+$/, "").trim()
  return cleaned === "" ? null : cleaned
}

/**
 * The final math answer in an output, as written, or null. A marker's text (for `\boxed{}` its
 * content) wins, with inline math `$…$` preferred inside it; without a marker: the last inline
 * math of the last line, else the whole output when it is one line, else the last number. A
 * `\boxed{` left unclosed (a truncated output) gives null.
 */
export const extractMath = (output: string): string | null =>
  search(output, false, (marker) => cleanMath(marker.text, marker.boxed), (s) => {
    // A box left open: the output was cut off before its answer was complete.
    if (/\\boxed\s*\{/.test(s)) return null
    const last = lastLine(s)
    const inline = [...last.matchAll(/\$([^$]+)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]/g)].at(-1)
    if (inline !== undefined) return (inline[1] ?? inline[2] ?? inline[3])!.trim()
    if (lines(s).length === 1) return cleanMath(s)
    return numberTokens(s).at(-1)?.text ?? null
  })

// ---------------------------------------------------------------------------------------------
// Text

/**
 * Text in comparable form: Unicode-normalised, accents removed, lower case, apostrophes and
 * full stops dropped, other punctuation turned into spaces, the articles "a", "an", "the"
 * removed, whitespace collapsed.
 */
export const normalizeText = (s: string): string =>
  s
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/['’`]|(?<!\d)\.|\.(?!\d)/g, "")
    .replace(/\p{P}/gu, " ")
    .replace(/(?<![\p{L}\p{N}])(?:a|an|the)\s+(?=[\p{L}\p{N}])/gu, " ")
    .replace(/\s+/g, " ")
    .trim()

const cleanText = (s: string): string | null => {
  const t = stripDecoration(s)
    .replace(/^\$+(.*?)\$+$/s, "$1")
    .replace(/^\\text\{(.*)\}$/s, "$1")
    .replace(/^["'“”‘’`](.*)["'“”‘’`]$/s, "$1")
    .replace(/[.。!]+$/, "")
    .trim()
  return t === "" ? null : t
}

/**
 * The final text answer in an output, or null: a marker's text, else the whole output when it
 * is one line, else its last line (bold, quotes, `$…$` and a trailing full stop removed).
 */
export const extractText = (output: string): string | null =>
  search(output, false, (marker) => cleanText(marker.text), (s) => cleanText(lastLine(s)))

// ---------------------------------------------------------------------------------------------
// Grading

const make = (outcome: Outcome, extracted: string | null, grader: AnswerKind): Grade => ({
  outcome,
  extracted,
  grader,
  version: VERSION
})

const verdict = (extracted: string | null, correct: (e: string) => boolean, grader: AnswerKind): Grade =>
  extracted === null ? make("no_answer", null, grader) : make(correct(extracted) ? "correct" : "incorrect", extracted, grader)

const expectedChoice = (expected: string, options?: Options): string | null => {
  const m = /^\s*[(\[]?\s*([A-Ja-j])\s*(?:[)\].:]|\s|$)/.exec(expected)
  if (m !== null && !/^\s*[(\[]?\s*[A-Ja-j]\s+[a-z]/.test(expected)) return m[1]!.toUpperCase()
  return options?.question === undefined ? null : optionByText(expected, parseOptions(options.question), true)
}

const gradeText = (expected: string, output: string): Grade => {
  const extracted = extractText(output)
  if (extracted === null) return make("no_answer", null, "text")
  if (normalizeText(extracted) === normalizeText(expected)) return make("correct", extracted, "text")
  return isNonAnswer(extracted) ? make("no_answer", null, "text") : make("incorrect", extracted, "text")
}

const gradeMath = (expected: string, output: string, options: Options): Grade => {
  const e = normalizeMath(expected)
  const ev = evaluateMath(e)
  return verdict(
    extractMath(output),
    (answer) => {
      const a = normalizeMath(answer)
      const av = evaluateMath(a)
      if (ev !== null && av !== null) return closeEnough(ev, av, options.relativeTolerance, options.absoluteTolerance)
      return a === e
    },
    "math"
  )
}

/**
 * Grades one output against one expected answer with the grader of `kind`. An expected answer
 * the kind cannot read falls back to another grader, named in the grade: a multiple-choice
 * expectation that is not a letter (nor an option's text) to `text`, a number expectation that
 * is not one number to `math`.
 */
export const grade = (kind: AnswerKind, expected: string, output: string, options: Options = {}): Grade => {
  switch (kind) {
    case "multiple_choice": {
      const letter = expectedChoice(expected, options)
      if (letter === null) return gradeText(expected, output)
      return verdict(extractChoice(output, options), (l) => l === letter, kind)
    }
    case "number": {
      const tokens = numberTokens(expected)
      if (tokens.length !== 1) return gradeMath(expected, output, options)
      const want = readings(tokens[0]!)
      const got = readNumber(output)
      if (got === null) return make("no_answer", null, kind)
      const correct = want.some((w) =>
        readings(got).some((g) => closeEnough(w, g, options.relativeTolerance, options.absoluteTolerance))
      )
      return make(correct ? "correct" : "incorrect", got.text, kind)
    }
    case "label": {
      const labels = labelSet(expected, options.labels)
      const want = expected.trim().toLowerCase()
      return verdict(extractLabel(output, labels), (l) => l.toLowerCase() === want, kind)
    }
    case "math":
      return gradeMath(expected, output, options)
    case "text":
      return gradeText(expected, output)
  }
}

/** Whether a grade counts as correct. */
export const isCorrect = (grade: Grade): boolean => grade.outcome === "correct"
