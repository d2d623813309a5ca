/**
 * Output for scripts: every command that creates or reports something takes `--json` (one JSON
 * document on stdout) and, with the global `--quiet`, prints only what a script needs next (the
 * new id, the names in a list), one per line.
 *
 * Use in a command: add `json: Scripting.json` to its options, then end the handler with
 * `yield* Scripting.emit(json, { json: () => value, quiet: () => [id], text: printTheUsualWay })`.
 */
import { Options } from "@effect/cli"
import { Effect } from "effect"
import { AppContext } from "./AppContext.js"
import * as Output from "./Output.js"

/** The `--json` option. */
export const json = Options.boolean("json").pipe(
  Options.withDescription("print the result as one JSON document on stdout, for scripts (e.g. | jq)")
)

/** What a command prints in each mode. */
export interface Emitted<E, R> {
  /** The JSON document for `--json`. */
  readonly json: () => unknown
  /** The lines for `--quiet` (ids, names); none prints nothing. */
  readonly quiet: () => ReadonlyArray<string>
  /** The usual, human output. */
  readonly text: Effect.Effect<void, E, R>
}

/** Prints a command's result as JSON, as its ids only (`--quiet`), or as text. `--json` wins over `--quiet`. */
export const emit = <E, R>(asJson: boolean, out: Emitted<E, R>): Effect.Effect<void, E | Output.OutputClosed, R | AppContext> =>
  Effect.gen(function*() {
    if (asJson) return yield* Output.json(out.json())
    const { flags } = yield* AppContext
    if (flags.quiet) {
      for (const line of out.quiet()) yield* Output.line(line)
      return
    }
    yield* out.text
  })
