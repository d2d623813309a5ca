/**
 * Numbers: reading the number a reply commits to (signs, separators, decimals, fractions,
 * percentages, scientific notation, units and scale words) and comparing it with the key:
 * within a tolerance, or, for a key written with d decimals, after rounding the reply to d.
 */
import { cutExplanation, HEDGE_BETWEEN, HEDGE_LEAD, isNegated, type Marker, search, stripDecoration, unicode, withoutCheck } from "./markers.js"

/** Default relative tolerance for numbers. */
export const DEFAULT_RELATIVE_TOLERANCE = 1e-6
/** Default absolute tolerance for numbers. */
export const DEFAULT_ABSOLUTE_TOLERANCE = 1e-9

/** A number read from text: its value, whether it was written as a percentage, and as written. */
export interface NumberToken {
  readonly value: number
  readonly percent: boolean
  readonly text: string
  /** Where it stands in the (plain) text it was read from. */
  readonly index: number
  readonly end: number
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

export const numberTokens = (s: string): Array<NumberToken> => {
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
    tokens.push({ value, percent: percent !== undefined, text: text!.trim(), index: m.index, end: m.index + text!.length })
  }
  return tokens
}

const numberWords: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17,
  eighteen: 18, nineteen: 19, twenty: 20
}
const tens: Record<string, number> = { twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90 }

/** A number written in words as the whole answer, or leading it ("Eighteen dollars", "twenty-five"): up to ninety-nine. */
const numberWord = (text: string): NumberToken | null => {
  const t = stripDecoration(text).replace(/[.!]+$/, "").trim().toLowerCase()
  const m = /^(zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[-\s](one|two|three|four|five|six|seven|eight|nine))?(?![\p{L}-])/u.exec(t)
  if (m === null) return null
  // A word leading a longer text counts only before a unit, not inside a sentence ("one of them").
  if (m[0].length < t.length && !/^\s+[a-z]+[.!]?$/.test(t.slice(m[0].length))) return null
  if (m[0].length < t.length && /^\s+(?:of|or|and|more|less|to|than)\b/.test(t.slice(m[0].length))) return null
  const value = m[2] === undefined ? (numberWords[m[1]!] ?? tens[m[1]!]!) : (tens[m[1]!] ?? NaN) + numberWords[m[2]]!
  return Number.isFinite(value) ? { value, percent: false, text: String(value), index: 0, end: 0 } : null
}

/** A number or a hedge between numbers ("12 or 13"), as read from one piece of text. */
export type NumberRead = { readonly _tag: "number"; readonly token: NumberToken } | { readonly _tag: "hedge"; readonly texts: ReadonlyArray<string> }

/** The numbers of a text that are not negated ("42, not 24" gives 42). */
const kept = (part: string): Array<NumberToken> => {
  const plain = toPlain(part)
  return numberTokens(part).filter((t) => !isNegated(plain, t.index, t.end))
}

/** Units that a smaller unit may follow in one quantity, with how many of the smaller make one. */
const compoundUnits: ReadonlyArray<readonly [RegExp, RegExp, number]> = [
  [/hours?|hrs?|h/, /minutes?|mins?|m/, 60],
  [/minutes?|mins?/, /seconds?|secs?|s/, 60],
  [/feet|foot|ft/, /inch(?:es)?|in/, 12],
  [/pounds?|lbs?/, /ounces?|oz/, 16],
  [/dollars?/, /cents?/, 100],
  [/years?|yrs?/, /months?/, 12],
  [/weeks?/, /days?/, 7],
  [/days?/, /hours?/, 24]
]

/** "2 hours 30 minutes" for each pair of units, compiled once (every graded number reply tries them). */
const compoundPatterns: ReadonlyArray<readonly [RegExp, number]> = compoundUnits.map(([big, small, per]) => [
  new RegExp(String.raw`\$?(\d+(?:\.\d+)?)\s*(?:${big.source})\b\s*(?:,|and)?\s*(\d+(?:\.\d+)?)\s*(?:${small.source})\b`, "i"),
  per
])

/** The value of "2 hours 30 minutes"-style text (the first such in `s`), or null. */
const compoundQuantity = (s: string): NumberToken | null => {
  for (const [re, per] of compoundPatterns) {
    const m = re.exec(s)
    if (m !== null) {
      return { value: Number(m[1]) + Number(m[2]) / per, percent: false, text: m[0], index: m.index, end: m.index + m[0].length }
    }
  }
  return null
}

/** The number a marker's text gives: before any explanation, after the last "=", the first number not negated. */
const numberInMarked = ({ boxed, text }: Marker): NumberRead | null => {
  const head = boxed ? text : cutExplanation(text)
  let part = numberTokens(head).length > 0 ? head : text
  const eq = Math.max(part.lastIndexOf("="), part.lastIndexOf("≈"))
  if (eq >= 0 && numberTokens(part.slice(eq + 1)).length > 0) part = part.slice(eq + 1)
  // A compound quantity ("2 hours 30 minutes", "5 feet 3 inches", "$3 and 50 cents") is one value.
  const compound = compoundQuantity(part)
  if (compound !== null) return { _tag: "number", token: compound }
  // A range ("10–12", "10 to 12") is no single number.
  const range = /(\d)\s*(?:[–—]|\bto\b)\s*[-−$]?\d/.exec(part)
  if (range !== null) {
    const around = numberTokens(part)
    if (around.length >= 2) return { _tag: "hedge", texts: [around[0]!.text, around[1]!.text] }
  }
  const tokens = kept(part)
  const first = tokens[0]
  if (first === undefined) {
    const word = numberWord(text)
    return word === null ? null : { _tag: "number", token: word }
  }
  // "12 or 13", "either 12 or 13": a hedge, even when one of them is right.
  const plain = toPlain(part)
  for (const next of tokens.slice(1)) {
    if (next.value === first.value) continue
    // "12 or 13", "10 to 12", "10–12": no single number.
    if (HEDGE_BETWEEN.test(plain.slice(first.end, next.index)) || /^\s*(?:to|–|—)\s*$/i.test(plain.slice(first.end, next.index)) || (HEDGE_LEAD.test(plain.slice(0, first.index)) && /^\s*(?:and|or)\s*$/.test(plain.slice(first.end, next.index)))) {
      return { _tag: "hedge", texts: [first.text, next.text] }
    }
    break
  }
  return { _tag: "number", token: first }
}

/**
 * The number a reply commits to. In a marker's text the first number after any "=" wins
 * ("Answer: 5 + 7 = 12" → 12, "Answer: 12 cm" → 12); without a marker, the last number before
 * any verification section ("Check: …").
 */
export const readNumber = (output: string): NumberRead | null =>
  search(output, numberInMarked, (s) => {
    const whole = withoutCheck(s)
    // The last line's explanation is context: "The value of x is 7, since 3x = 21." gives 7.
    const lastLineAt = whole.lastIndexOf("\n") + 1
    const stated = whole.slice(lastLineAt).replace(/,?\s+(?:since|because)\b.*$/s, "")
    const body = numberTokens(stated).length > 0 ? whole.slice(0, lastLineAt) + stated : whole
    // The last number not negated ("The change is $14, not $16." gives 14).
    const last = kept(body).at(-1) ?? numberWord(body)
    return last === null ? null : { _tag: "number", token: last }
  })

/** The final number in an output, as written (without units), or null (also for a hedge). */
export const extractNumber = (output: string): string | null => {
  const read = readNumber(output)
  return read?._tag === "number" ? read.token.text : null
}

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
export const readings = (n: NumberToken): ReadonlyArray<number> => (n.percent ? [n.value, n.value / 100] : [n.value])

/** The decimals a key is written with ("3.14" → 2), for a plain decimal key with at least one; else 0. */
export const keyDecimals = (expected: string): number => {
  const m = /^[-+\u2212]?[$€£]?\d[\d,]*\.(\d+)\s?%?$/.exec(expected.trim())
  return m === null ? 0 : m[1]!.length
}

/**
 * Whether a reply's value gives the key's: within the tolerances, or, when the key is written
 * with d ≥ 1 decimals and the reply with more, equal once the reply is rounded to d decimals
 * (the key is taken as rounded). An integer key stays exact: "0.001" is not "0".
 */
export const numberMatches = (
  expected: NumberToken,
  decimals: number,
  got: NumberToken,
  relativeTolerance?: number,
  absoluteTolerance?: number
): boolean =>
  readings(expected).some((w) =>
    readings(got).some((g) => {
      if (closeEnough(w, g, relativeTolerance, absoluteTolerance)) return true
      if (decimals === 0 || replyDecimals(got.text) <= decimals) return false
      return Math.abs(g - w) <= 0.5 * Math.pow(10, -decimals) + 1e-12 * Math.max(1, Math.abs(w))
    })
  )

/** The decimals a reply is written with; a fraction ("2/3") is exact, finer than any key. */
const replyDecimals = (text: string): number => text.includes("/") ? Infinity : /\.(\d+)/.exec(text)?.[1]?.length ?? 0

/** Whether a text is a number word alone ("twelve"). */
export const isNumberWord = (text: string): boolean => numberWord(stripDecoration(text)) !== null
