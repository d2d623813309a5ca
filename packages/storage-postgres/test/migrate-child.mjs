// One process that opens (and so migrates) the database at argv[2], for the test of several
// processes starting at once. Prints the migrations it ran as JSON.
import { Effect, Layer } from "effect"
import * as SqlClient from "@effect/sql/SqlClient"
import { Database, Migrations } from "../dist/index.js"

const url = process.argv[2]
const program = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql`SELECT COUNT(*) AS n FROM benchmarks`
  return { version: yield* Migrations.version, benchmarks: rows[0].n }
}).pipe(Effect.provide(Database.layer({ url, poolSize: 2 })))

Effect.runPromise(program).then(
  (result) => console.log(JSON.stringify(result)),
  (error) => {
    console.error(String(error?.message ?? error))
    process.exit(1)
  }
)
