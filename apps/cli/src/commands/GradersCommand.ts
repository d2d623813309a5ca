/**
 * `ml-agents graders list`: the answer kinds this process can grade (built-in and plugins'), with
 * each grader's version (stored with every grade it gives) and what it accepts.
 */
import { Command } from "@effect/cli"
import { Context, Effect } from "effect"
import type { LoadedGrader } from "../Plugins.js"
import * as Ui from "../Ui.js"

/** The graders this process knows, with where each came from. */
export class LoadedGraders extends Context.Tag("@ml-agents/cli/LoadedGraders")<LoadedGraders, ReadonlyArray<LoadedGrader>>() {}

const listCommand = Command.make("list", {}, () =>
  Effect.gen(function*() {
    const loaded = yield* LoadedGraders
    const lines: Array<string> = []
    for (const { grader, source } of loaded) {
      lines.push(`${Ui.style.bold(grader.kind)}  ${grader.version}  ${Ui.style.dim(`(${source})`)}`)
      lines.push(`    ${grader.description}`)
    }
    yield* Ui.print(lines.join("\n"))
    yield* Ui.print(Ui.style.dim("\n  Use with: ml-agents benchmark import <csv> --answer-kind <kind>  (or evaluate create/rescore --answer-kind)"))
  })
).pipe(Command.withDescription("List the answer kinds that can be graded (built-in and plugins), with grader versions"))

/** `ml-agents graders`. */
export const command = Command.make("graders").pipe(
  Command.withDescription("Graders: one per answer kind, built-in and plugins (ML_AGENTS_PLUGINS)"),
  Command.withSubcommands([listCommand])
)
