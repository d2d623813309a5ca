/**
 * `--wizard`: @effect/cli's interactive command builder, which needs a terminal to ask on. Without
 * one (standard input at EOF, a pipe, CI) it would wait for answers that never come: this refuses
 * at once with a usage error, and a terminal closed mid-wizard (Ctrl+D) ends it the same way.
 */
import { Prompt } from "@effect/cli"
import { Effect } from "effect"
import type { GlobalFlags } from "./GlobalOptions.js"
import { printAbove } from "./StatusLine.js"
import { UsageError } from "./UsageError.js"

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

/**
 * The global options, asked first (the same ones `--help` lists, see GlobalOptions.ts): which
 * configuration file and environment, and how talkative. @effect/cli's wizard then asks the
 * command's own options. Flags already given on the line are not asked again.
 */
export const askGlobals = (flags: GlobalFlags) =>
  Effect.gen(function*() {
    const configPath = flags.configPath ?? (yield* Prompt.text({
      message: "--config: configuration file to read instead of ./.env (empty: ./.env)",
      default: ""
    }))
    const environment = flags.env ?? (yield* Prompt.text({
      message: "--env: environment whose .env.<name> is read over .env (empty: none, or ML_AGENTS_ENV)",
      default: ""
    }))
    const verbose = flags.verbose || (yield* Prompt.toggle({ message: "--verbose: debug logs, and which database and files are used?", initial: false, active: "yes", inactive: "no" }))
    const quiet = flags.quiet || (!verbose && (yield* Prompt.toggle({ message: "--quiet: print only ids (for scripts)?", initial: false, active: "yes", inactive: "no" })))
    return {
      ...flags,
      configPath: configPath.trim() === "" ? undefined : configPath.trim(),
      env: environment.trim() === "" ? undefined : environment.trim(),
      verbose,
      quiet
    } satisfies GlobalFlags
  })
