/**
 * A usage error: a wrong command line, shown in one form everywhere (exit code 2):
 *
 *   ✗ --temp 'hot' is not a number (allowed: a number from 0 to 2)
 *     → e.g. --temp 0.7; see ml-agents evaluate create --help
 *
 * the flag and the value, what is allowed, and the fix. Commands raise it for their own checks
 * (`new UsageError({ flag: "--concurrency", value, problem, allowed, fix })`); the parser's
 * checks (CommandLine.ts) raise it before the command runs.
 */
import { Data, Effect, Option } from "effect"

/** A command line that cannot be used, with what is allowed and how to fix it. */
export class UsageError extends Data.TaggedError("UsageError")<{
  /** The option or argument at fault (`--temp`, `<evaluation_id>`, a command name). */
  readonly flag?: string | undefined
  /** The value given, when there was one. */
  readonly value?: string | undefined
  /** What is wrong, naming the flag and the value: `--temp 'hot' is not a number`. */
  readonly problem: string
  /** What is allowed: `a number from 0 to 2`, `csv, json, jsonl`. */
  readonly allowed?: string | undefined
  /** The next step: `e.g. --temp 0.7`. */
  readonly fix: string
}> {
  override get message() {
    return this.problem + (this.allowed !== undefined ? ` (allowed: ${this.allowed})` : "")
  }
}

const distance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
  }
  return row[b.length]!
}

/** The candidates closest to a mistyped word (within a third of its length), best first. */
export const closest = (word: string, candidates: ReadonlyArray<string>): ReadonlyArray<string> => {
  const limit = Math.max(2, Math.floor(word.length / 3))
  return candidates
    .map((c) => ({ c, d: c.startsWith(word) || word.startsWith(c) ? 1 : distance(word.toLowerCase(), c.toLowerCase()) }))
    .filter(({ d }) => d <= limit)
    .sort((x, y) => x.d - y.d)
    .map(({ c }) => c)
}

/** `--concurrency` of a run or a worker, or the configured default: a whole number from 1 to 1024. */
export const concurrency = (given: Option.Option<number>, fallback: number): Effect.Effect<number, UsageError> => {
  const n = Option.getOrElse(given, () => fallback)
  return n >= 1 && n <= 1024
    ? Effect.succeed(n)
    : Effect.fail(
      new UsageError({
        flag: "--concurrency",
        value: String(n),
        problem: `--concurrency ${n} is out of range`,
        allowed: "a whole number from 1 to 1024",
        fix: "e.g. --concurrency 16"
      })
    )
}
