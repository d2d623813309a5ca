/**
 * `--wizard`: @effect/cli's interactive command builder, which needs a terminal to ask on. Without
 * one (standard input at EOF, a pipe, CI) it would wait for answers that never come: this refuses
 * at once with a usage error, and a terminal closed mid-wizard (Ctrl+D) ends it the same way.
 */
import { Effect } from "effect"
import { UsageError } from "./UsageError.js"
import { printAbove } from "./StatusLine.js"

/** Fails unless standard input is a terminal; ends the program with exit 2 if its input ends. */
export const check: Effect.Effect<void, UsageError> = Effect.suspend(() => {
  if (process.stdin.isTTY !== true) {
    return Effect.fail(
      new UsageError({
        flag: "--wizard",
        problem: "--wizard asks its questions on a terminal, and standard input is not one (or is at its end)",
        fix: "run it in a terminal, or give the command in full (ml-agents <command> --help lists its options)"
      })
    )
  }
  // The prompts read key presses; an input that ends leaves them waiting forever.
  process.stdin.once("end", () => {
    printAbove("✗ --wizard: standard input ended before the command was complete\n  → run it again in a terminal, or give the command in full")
    process.exit(2)
  })
  return Effect.void
})
