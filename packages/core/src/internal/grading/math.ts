/**
 * Math answers (MATH-style): the final answer (the last `\boxed{}` or marker), written in
 * LaTeX, plain text or Unicode, compared by value when both sides evaluate (variables are given
 * the same random values on both sides, so reordered sums and products are equal), else by
 * canonical spelling.
 */
import { braced, cutExplanation, lastLine, lines, type Marker, search, stripDecoration, unicode } from "./markers.js"
import { closeEnough, numberTokens } from "./number.js"

/** Unicode math written as its LaTeX: π → \pi, √x → \sqrt{x}, × → \times, − → -, ½ → \frac{1}{2}. */
const unicodeMath = (s: string): string =>
  s
    .replace(/½/g, "\\frac{1}{2}").replace(/⅓/g, "\\frac{1}{3}").replace(/⅔/g, "\\frac{2}{3}")
    .replace(/¼/g, "\\frac{1}{4}").replace(/¾/g, "\\frac{3}{4}")
    .replace(/π/g, "\\pi ").replace(/∞/g, "\\infty ").replace(/[×✕]/g, "\\times ").replace(/[·⋅]/g, "\\cdot ")
    .replace(/÷/g, "\\div ").replace(/[−–]/g, "-").replace(/≤/g, "\\le ").replace(/≥/g, "\\ge ")
    .replace(/√\s*\(([^()]*)\)/g, "\\sqrt{$1}").replace(/√\s*(\d+(?:\.\d+)?|[a-zA-Z])/g, "\\sqrt{$1}")

/**
 * A LaTeX answer in canonical spelling: no `$`/`\(`/`\[` delimiters, `\dfrac`/`\tfrac` → `\frac`,
 * no `\left`/`\right`/`\displaystyle`, no spacing commands or spaces, `^{2}` → `^2`, `\frac12` →
 * `\frac{1}{2}`, `\sqrt2` → `\sqrt{2}`, units (`\text{ cm}`), degrees and `\%` dropped,
 * `\text{…}` unwrapped, thousands separators and a trailing full stop removed, and a leading
 * "x =" dropped.
 */
export const normalizeMath = (s: string): string => {
  let t = unicodeMath(unicode(unicodeMath(s)))
    // Plain-text math: "2 sqrt(2)", "3pi".
    .replace(/(?<![\\a-zA-Z])sqrt\s*\(([^()]*)\)/g, "\\sqrt{$1}")
    .replace(/(?<![\\a-zA-Z])pi(?![a-zA-Z])/g, "\\pi ")
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
 * The value of a normalised math answer built from numbers, + − × ÷ (`\cdot`, `\times`, `/`),
 * `^`, brackets, `\frac{}{}`, `\sqrt{}`, `\sqrt[n]{}` and implicit multiplication ("2\sqrt{3}"),
 * with single-letter variables and `\pi` read from `env`; null for anything else or for an
 * unknown variable.
 */
export const evaluateMath = (normalized: string, env: Readonly<Record<string, number>> = {}): number | null => {
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
  const startsAtom = (): boolean => /^(?:[\d.({a-zA-Z]|\\frac|\\sqrt|\\pi)/.test(s.slice(i))
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
    // Spaces are gone once normalised: "\pi r^2" reads "\pir^2", \pi times r.
    if (s.startsWith("\\pi", i)) {
      i += 3
      return env.pi ?? fail()
    }
    const letter = /^[a-zA-Z]/.exec(s.slice(i))
    if (letter !== null && env[letter[0]] !== undefined) {
      i += 1
      return env[letter[0]]!
    }
    return fail()
  }
  const power = (): number => {
    const base = atom()
    if (eat("^")) return Math.pow(base, peek("{") ? group("{", "}") : unary())
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

/** The symbols of a normalised answer: single letters outside commands, and `\pi`; null when it holds words. */
const symbolsOf = (s: string): Set<string> | null => {
  const bare = s.replace(/\\(?:frac|sqrt|cdot|times|div)(?![a-zA-Z])/g, " ")
  const symbols = new Set<string>()
  if (/\\pi/.test(bare)) symbols.add("pi")
  const rest = bare.replace(/\\pi/g, " ")
  // Products of up to three letters ("2ab"); a longer run is a word ("Monday"), compared as spelled.
  if (/\\[a-zA-Z]/.test(rest) || /[a-zA-Z]{4,}/.test(rest)) return null
  for (const m of rest.matchAll(/[a-zA-Z]/g)) symbols.add(m[0])
  return symbols.size > 3 ? null : symbols
}

/** Fixed, unremarkable values for the symbols: an identity holds at all three points or the answers differ. */
const POINTS: ReadonlyArray<number> = [0.6180339887, 1.3247179572, 2.2360679775]

/** Whether two normalised answers have the same value: numbers within tolerance, expressions at three points. */
const sameValue = (a: string, b: string, relativeTolerance?: number, absoluteTolerance?: number): boolean => {
  const sa = symbolsOf(a)
  const sb = symbolsOf(b)
  if (sa === null || sb === null || sa.size !== sb.size || [...sa].some((x) => !sb.has(x))) return false
  if (sa.size === 0) {
    const va = evaluateMath(a)
    const vb = evaluateMath(b)
    return va !== null && vb !== null && closeEnough(va, vb, relativeTolerance, absoluteTolerance)
  }
  return POINTS.every((p, k) => {
    const env: Record<string, number> = {}
    let j = 0
    for (const x of sa) env[x] = p + 0.1 * (j++) + 0.01 * k
    const va = evaluateMath(a, env)
    const vb = evaluateMath(b, env)
    return va !== null && vb !== null && closeEnough(va, vb, 1e-9, 1e-12)
  })
}

/** Splits at top-level commas ("(1,2)" → ["1","2"] inside its brackets), or null when there are none. */
const tuple = (s: string): { readonly open: string; readonly close: string; readonly items: Array<string> } | null => {
  const m = /^([(\[{]?)(.*?)([)\]}]?)$/s.exec(s)!
  const [, open, inner, close] = m
  const items: Array<string> = []
  let depth = 0
  let from = 0
  for (let i = 0; i < inner!.length; i++) {
    const ch = inner![i]!
    if ("({[".includes(ch)) depth++
    else if (")}]".includes(ch)) depth--
    else if (ch === "," && depth === 0) {
      items.push(inner!.slice(from, i))
      from = i + 1
    }
  }
  if (items.length === 0) return null
  items.push(inner!.slice(from))
  return { open: open!, close: close!, items }
}

/** Whether two math answers are equal: same canonical spelling, same value, or equal item by item / side by side. */
export const mathEqual = (expected: string, answer: string, relativeTolerance?: number, absoluteTolerance?: number): boolean => {
  const e = normalizeMath(expected)
  const a = normalizeMath(answer)
  if (e === a) return true
  const te = tuple(e)
  const ta = tuple(a)
  if (te !== null || ta !== null) {
    return te !== null && ta !== null && te.open === ta.open && te.close === ta.close && te.items.length === ta.items.length &&
      te.items.every((x, k) => x === ta.items[k] || sameValue(x, ta.items[k]!, relativeTolerance, absoluteTolerance))
  }
  const eqE = e.split("=")
  const eqA = a.split("=")
  if (eqE.length === 2 && eqA.length === 2) {
    return eqE.every((x, k) => x === eqA[k] || sameValue(x, eqA[k]!, relativeTolerance, absoluteTolerance))
  }
  return sameValue(e, a, relativeTolerance, absoluteTolerance)
}

const cleanMath = (s: string, boxed = false): string | null => {
  const inline = boxed ? null : /\$([^$]+)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]/s.exec(s)
  const t = (inline !== null ? (inline[1] ?? inline[2] ?? inline[3])! : boxed ? s : cutExplanation(s)).trim()
  // "√5 ≈ 2.236": the exact form before an approximation.
  const cleaned = stripDecoration(t).replace(/\s*(?:≈|\\approx)[^=]*$/, "").replace(/[.,;]+$/, "").trim()
  return cleaned === "" ? null : cleaned
}

/**
 * The final math answer in an output, as written, or null. A marker's text (for `\boxed{}` its
 * content) wins, with inline math `$…$` preferred inside it; without a marker: the last inline
 * math of the last line, else the whole output when it is one line, else the last number. A
 * `\boxed{` left unclosed (a truncated output) gives null.
 */
export const extractMath = (output: string): string | null =>
  search(output, (marker: Marker) => cleanMath(marker.text, marker.boxed), (s) => {
    // A box left open: the output was cut off before its answer was complete.
    if (/\\boxed\s*\{/.test(s)) return null
    const last = lastLine(s)
    const inline = [...last.matchAll(/\$([^$]+)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]/g)].at(-1)
    if (inline !== undefined) return (inline[1] ?? inline[2] ?? inline[3])!.trim()
    if (lines(s).length === 1) {
      // A sentence ("The area is 4π."): what follows its last "is" / "=" / ":"; prose without math is no answer.
      const tail = /(?:\bis|\bbe|\bequals|=|:)\s+([^=:]+?)\s*[.!]?$/.exec(s)
      const candidate = tail !== null && /[\p{L}]{3,}\s+\p{L}{2,}/u.test(s) ? tail[1]! : s
      return /[\d\\^π√∞]|^[a-zA-Z]$/.test(candidate) ? cleanMath(candidate) : null
    }
    return numberTokens(s).at(-1)?.text ?? null
  })

