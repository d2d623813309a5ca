/**
 * The small toolkit the report's charts are drawn with: a colour palette that colour-blind
 * readers can tell apart, linear and logarithmic scales with round tick values, an estimate of
 * a text's width (the charts are laid out without a browser), and number formats.
 */
import * as Ui from "../Ui.js"

/**
 * Okabe & Ito's colour-blind-safe palette (2008), without its yellow (too light on white), then
 * darker variants for reports with more evaluations than colours.
 */
export const PALETTE = [
  "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000",
  "#004C78", "#A87400", "#006B4F", "#8F4F75", "#2E7FAB", "#943F00", "#666666"
] as const

/** The colour of the evaluation with this 1-based index. */
export const colour = (index: number): string => PALETTE[(index - 1) % PALETTE.length]!

/** A coordinate or size with at most two decimals, for compact markup. */
export const n = (x: number): string => String(Math.round(x * 100) / 100)

/** A mapping from data values to pixels. */
export interface Scale {
  readonly kind: "linear" | "log"
  readonly domain: readonly [number, number]
  readonly range: readonly [number, number]
  readonly at: (x: number) => number
  readonly ticks: ReadonlyArray<number>
}

/** A linear scale. */
export const linear = (domain: readonly [number, number], range: readonly [number, number], ticks: ReadonlyArray<number>): Scale => {
  const [d0, d1] = domain
  const [r0, r1] = range
  const span = d1 - d0 || 1
  return { kind: "linear", domain, range, ticks, at: (x) => r0 + ((x - d0) / span) * (r1 - r0) }
}

/** A base-10 logarithmic scale over positive values. */
export const log = (domain: readonly [number, number], range: readonly [number, number], ticks: ReadonlyArray<number>): Scale => {
  const [l0, l1] = [Math.log10(domain[0]), Math.log10(domain[1])]
  const [r0, r1] = range
  const span = l1 - l0 || 1
  return { kind: "log", domain, range, ticks, at: (x) => r0 + ((Math.log10(x) - l0) / span) * (r1 - r0) }
}

/** A round step (1, 2 or 5 × 10^k) giving about `count` intervals over `span`. */
const niceStep = (span: number, count: number): number => {
  const raw = span / Math.max(1, count)
  const power = 10 ** Math.floor(Math.log10(raw))
  const f = raw / power
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power
}

/** A domain [0, m] with m round and ≥ max, and its ticks (about `count` intervals). */
export const niceZeroBased = (max: number, count = 5): { readonly domain: readonly [number, number]; readonly ticks: Array<number> } => {
  const top = max > 0 ? max : 1
  const step = niceStep(top, count)
  const intervals = Math.ceil(top / step - 1e-9)
  // toPrecision drops the binary noise of i × step (0.00015000000000000001 → 0.00015).
  const ticks: Array<number> = []
  for (let i = 0; i <= intervals; i++) ticks.push(Number((i * step).toPrecision(12)))
  return { domain: [0, ticks[ticks.length - 1]!], ticks }
}

/** A domain of whole decades around [min, max] (both > 0) and a tick per decade. */
export const decades = (min: number, max: number): { readonly domain: readonly [number, number]; readonly ticks: Array<number> } => {
  const lo = Math.floor(Math.log10(min))
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(max)))
  const ticks: Array<number> = []
  for (let k = lo; k <= hi; k++) ticks.push(Number((10 ** k).toPrecision(12)))
  return { domain: [ticks[0]!, ticks[ticks.length - 1]!], ticks }
}

/**
 * Advance widths of the printable ASCII characters (space to ~) in hundredths of an em, in DejaVu
 * Sans, regular and bold: the widest of the common sans-serif fonts a browser may pick, so a
 * layout made with these widths leaves room on every machine. One row per 16 characters, from
 * space, "0", "@", "P", "`" and "p" (measured in Chromium at 100 px).
 */
const ASCII_WIDTHS = {
  regular: [
    32, 40, 46, 84, 64, 95, 78, 27, 39, 39, 50, 84, 32, 36, 32, 34,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 34, 34, 84, 84, 84, 53,
    100, 68, 69, 70, 77, 63, 58, 77, 75, 29, 29, 66, 56, 86, 75, 79,
    60, 79, 69, 63, 61, 73, 68, 99, 69, 61, 69, 39, 34, 39, 84, 50,
    50, 61, 63, 55, 63, 62, 35, 63, 63, 28, 28, 58, 28, 97, 63, 61,
    63, 63, 41, 52, 39, 63, 59, 82, 59, 59, 52, 64, 34, 64, 84
  ],
  bold: [
    35, 46, 52, 84, 70, 100, 87, 31, 46, 46, 52, 84, 38, 42, 38, 37,
    70, 70, 70, 70, 70, 70, 70, 70, 70, 70, 40, 40, 84, 84, 84, 58,
    100, 77, 76, 73, 83, 68, 68, 82, 84, 37, 37, 77, 64, 100, 84, 85,
    73, 85, 77, 72, 68, 81, 77, 110, 77, 72, 73, 46, 37, 46, 84, 50,
    50, 67, 72, 59, 72, 68, 44, 72, 71, 34, 34, 67, 34, 104, 71, 69,
    72, 72, 49, 60, 48, 71, 65, 92, 65, 65, 58, 71, 37, 71, 84
  ]
} as const

/** The width of one character in ems: wide for CJK and the like, generous for anything else not ASCII. */
const advance = (c: string, weight: "regular" | "bold"): number => {
  const code = c.codePointAt(0)!
  if (code >= 32 && code < 127) return ASCII_WIDTHS[weight][code - 32]! / 100
  return code >= 0x2e80 ? 1 : 0.8
}

/** The width in pixels of `text` at `size` pixels, from DejaVu Sans's metrics. */
export const textWidth = (text: string, size: number, weight: "regular" | "bold" = "regular"): number => {
  let w = 0
  for (const c of text) w += advance(c, weight)
  return w * size
}

/** `text` cut with an ellipsis to fit `width` pixels at `size`. */
export const fit = (text: string, width: number, size: number, weight: "regular" | "bold" = "regular"): string => {
  if (textWidth(text, size, weight) <= width) return text
  const chars = [...text]
  while (chars.length > 1 && textWidth(chars.join("") + "…", size, weight) > width) chars.pop()
  return chars.join("") + "…"
}

/** 0.8123 → "81.2%". */
export const percent = (x: number, digits = 1): string => `${(x * 100).toFixed(digits)}%`

/** An interval in percentage points: "68.4–91.2". */
export const ciText = (lower: number, upper: number): string => `${(lower * 100).toFixed(1)}–${(upper * 100).toFixed(1)}`

/** USD with three significant digits for small amounts: $0.000123, $0.0123, $1.23, $1,234.50. */
export const usd = (x: number): string => {
  if (x === 0) return "$0"
  const digits = Math.min(10, Math.max(2, 2 - Math.floor(Math.log10(Math.abs(x)))))
  const [whole, fraction] = Math.abs(x).toFixed(digits).split(".")
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ",")
  return `${x < 0 ? "−" : ""}$${grouped}${fraction !== undefined ? "." + fraction : ""}`
}

/** A tick label in USD, with the digits a round tick value needs: $0, $0.0005, $0.012, $1.5. */
export const usdTick = (x: number): string => {
  if (x === 0) return "$0"
  const digits = Math.max(0, -Math.floor(Math.log10(x) + 1e-9))
  const text = x.toFixed(Math.min(10, digits + 1)).replace(/0+$/, "").replace(/\.$/, "")
  return `$${text}`
}

/** 1234567 → "1,234,567". */
export const int = (x: number): string => Math.round(x).toLocaleString("en-US")

/** Milliseconds as "850 ms", "12.3 s", "4 min 05 s", "1 h 02 min". */
export const duration = (ms: number): string => Ui.duration(ms, true)
