/**
 * `ml-agents db copy <from-url> <to-url>`: moves a whole database from SQLite to PostgreSQL or
 * back (or between two of a kind). Both are opened and migrated first; the copy streams every
 * table a page at a time, is idempotent (run it again to finish a stopped copy; nothing changes
 * when it is complete), and counts each table's rows on both sides at the end.
 */
import { Args, Command } from "@effect/cli"
import { Effect } from "effect"
import { AppContext } from "../AppContext.js"
import * as DatabaseCopy from "../DatabaseCopy.js"
import { ExitCode, UserError } from "../Errors.js"
import * as Storage from "../Storage.js"
import * as Ui from "../Ui.js"

const copy = Command.make(
  "copy",
  {
    from: Args.text({ name: "from-url" }).pipe(Args.withDescription("the database to copy: postgresql://…, sqlite:///file.db or a file path")),
    to: Args.text({ name: "to-url" }).pipe(Args.withDescription("the database to copy into (created and migrated if new)"))
  },
  ({ from, to }) =>
    Effect.gen(function*() {
      const { config } = yield* AppContext
      if (from.trim() === to.trim()) {
        return yield* new UserError({ code: ExitCode.config, text: "db copy: the source and the target are the same database", hint: "give two different URLs" })
      }
      const source = yield* Storage.open(from, config)
      const target = yield* Storage.open(to, config)
      yield* Ui.print(`Copying ${Storage.display(from)} → ${Storage.display(to)}`)
      const reports = yield* DatabaseCopy.copy(source, target).pipe(
        Effect.mapError((error) =>
          new UserError({
            code: ExitCode.general,
            text: `db copy stopped: ${error.message}. What was copied so far is kept`,
            hint: "fix the cause and run the same command again: it copies what is missing and changes nothing else"
          })
        )
      )
      const width = Math.max(...reports.map((r) => r.table.length))
      let short = 0
      for (const r of reports) {
        const ok = r.targetRows >= r.sourceRows
        if (!ok) short++
        const extra = r.targetRows > r.sourceRows ? ` (${r.targetRows - r.sourceRows} more were there before)` : ""
        yield* Ui.print(
          `${ok ? Ui.style.green("✓") : Ui.style.red("✗")} ${r.table.padEnd(width)}  ${String(r.sourceRows).padStart(7)} in the source, ` +
            `${String(r.targetRows).padStart(7)} in the target${extra}`
        )
      }
      if (short > 0) {
        return yield* new UserError({
          code: ExitCode.general,
          text: `db copy: ${short} table(s) have fewer rows in the target than in the source`,
          hint: "run the same command again; if it persists, another process is deleting from the target"
        })
      }
      const total = reports.reduce((sum, r) => sum + r.sourceRows, 0)
      yield* Ui.success(`Copied ${total} rows; every table's count verified`)
    }).pipe(Effect.scoped)
).pipe(Command.withDescription("Copy a whole database (SQLite ⇄ PostgreSQL), streaming, idempotent, counts verified"))

/** `ml-agents db`. */
export const command = Command.make("db").pipe(
  Command.withDescription("Database tools: db copy <from-url> <to-url>"),
  Command.withSubcommands([copy])
)
