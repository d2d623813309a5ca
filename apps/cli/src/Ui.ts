/**
 * Terminal output conventions: ✓ green success, ⚠ yellow warning, ✗ red error with a next step,
 * aligned tables, and compact numbers. Colour only on a TTY and never when NO_COLOR is set.
 */
import { Effect } from "effect"
import * as Output from "./Output.js"
import { printAbove } from "./StatusLine.js"

const colorEnabled = (stream: NodeJS.WriteStream) =>
  stream.isTTY === true && process.env.NO_COLOR === undefined && process.env.TERM !== "dumb"

const paint = (code: string, stream: NodeJS.WriteStream = process.stdout) => (text: string) =>
  colorEnabled(stream) ? `\x1b[${code}m${text}\x1b[0m` : text

/** Styles for stdout. */
export const style = {
  green: paint("32"),
  yellow: paint("33"),
  red: paint("31"),
  cyan: paint("36"),
  dim: paint("2"),
  bold: paint("1")
}

/** Styles for stderr (progress, warnings, errors). */
export const styleErr = {
  green: paint("32", process.stderr),
  yellow: paint("33", process.stderr),
  red: paint("31", process.stderr),
  dim: paint("2", process.stderr),
  bold: paint("1", process.stderr)
}

/** Prints a success line. */
export const success = (text: string) => Output.line(`${style.green("✓")} ${text}`)
/** Prints a success line on stderr (when stdout carries data, e.g. `--json`). */
export const successErr = (text: string) => Effect.sync(() => printAbove(`${styleErr.green("✓")} ${text}`))
/** Prints a dim informational line on stderr (`--verbose` details). */
export const note = (text: string) => Effect.sync(() => printAbove(styleErr.dim(text)))
/** Prints a warning line (stderr, above a live progress bar). */
export const warn = (text: string) => Effect.sync(() => printAbove(`${styleErr.yellow("⚠")} ${text}`))
/** Prints an error with the next step to take (stderr, above a live progress bar). */
export const error = (text: string, hint?: string) =>
  Effect.sync(() => printAbove(`${styleErr.red("✗")} ${text}${hint ? `\n  ${styleErr.dim("→")} ${hint}` : ""}`))

// eslint-disable-next-line no-control-regex
const ansi = /\x1b\[[0-9;]*m/g
/** Display width of a string (ANSI codes excluded). */
export const width = (s: string) => [...s.replace(ansi, "")].length

const truncate = (s: string, max: number) => {
  const flat = s.replace(/\s+/g, " ").trim()
  return [...flat].length <= max ? flat : [...flat].slice(0, max - 1).join("") + "…"
}

/** A column of a table. */
export interface Column<A> {
  readonly header: string
  readonly value: (row: A) => string
  readonly align?: "left" | "right"
  /** Longest cell before it is cut with an ellipsis. */
  readonly max?: number
  /** Colour applied after padding. */
  readonly color?: (cell: string, row: A) => string
}

/** Renders rows as an aligned table with a header line. */
export const table = <A>(rows: ReadonlyArray<A>, columns: ReadonlyArray<Column<A>>): string => {
  const cells = rows.map((row) => columns.map((c) => truncate(c.value(row), c.max ?? 60)))
  const widths = columns.map((c, i) => Math.max(width(c.header), ...cells.map((r) => width(r[i]!))))
  const pad = (s: string, i: number) => {
    const fill = " ".repeat(Math.max(0, widths[i]! - width(s)))
    return columns[i]!.align === "right" ? fill + s : s + fill
  }
  const header = columns.map((c, i) => style.bold(pad(c.header, i))).join("  ")
  const lines = cells.map((r, ri) =>
    r.map((cell, i) => {
      const padded = pad(cell, i)
      const color = columns[i]!.color
      return color ? color(padded, rows[ri]!) : padded
    }).join("  ").trimEnd()
  )
  return [header.trimEnd(), ...lines].join("\n")
}

/** Prints key/value lines aligned on the colon. */
export const fields = (pairs: ReadonlyArray<readonly [string, string]>): string => {
  const w = Math.max(...pairs.map(([k]) => k.length))
  return pairs.map(([k, v]) => `  ${style.dim((k + ":").padEnd(w + 1))} ${v}`).join("\n")
}

/** 0.8123 → "81.2%". */
export const percent = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`

/** Milliseconds as "850 ms", "12.3 s", "4m 05s", "1h 02m" (`long`: "4 min 05 s", "1 h 02 min"). */
export const duration = (ms: number, long = false): string => {
  if (!Number.isFinite(ms)) return "—"
  if (ms < 1000) return `${Math.round(ms)} ms`
  const s = ms / 1000
  if (s < 60) return `${s.toFixed(1)} s`
  const [min, sec, hour] = long ? [" min", " s", " h"] : ["m", "s", "h"]
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}${min} ${String(Math.floor(s % 60)).padStart(2, "0")}${sec}`
  return `${Math.floor(m / 60)}${hour} ${String(m % 60).padStart(2, "0")}${min}`
}

/** USD with enough digits to be meaningful for tiny costs. */
export const usd = (x: number | null): string => {
  if (x === null) return "—"
  if (x === 0) return "$0"
  if (x < 0.01) return `$${x.toFixed(6)}`
  return `$${x.toFixed(4)}`
}

/** 1234567 → "1,234,567". */
export const int = (n: number): string =>
  // As toLocaleString("en-US") prints it, without loading ICU's locale data (about 25 ms, once
  // per process, measured at the end of every run).
  Number.isSafeInteger(n) ? String(n).replace(/\B(?=(\d{3})+$)/g, ",") : n.toLocaleString("en-US")

/** A Date as "2026-11-26 08:15" (local time). */
export const timestamp = (d: Date | null): string => {
  if (d === null) return "—"
  const p = (n: number) => String(n).padStart(2, "0")
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}

/** Prints a line to stdout (with back-pressure, see Output). */
export const print = (text: string) => Output.line(text)

/** Runs an effect only when not quiet. */
export const unlessQuiet = (quiet: boolean) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  quiet ? Effect.void : Effect.asVoid(self)
