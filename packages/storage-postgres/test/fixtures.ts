/**
 * Test fixtures: one database per test file on the test server (see TestDatabase), and within it
 * a schema of its own per test, so that every test starts from an empty, freshly migrated storage.
 */
import type { StorageError } from "@ml-agents/core"
import { type Context, Effect, Layer, type Scope } from "effect"
import { randomBytes } from "node:crypto"
import * as PgStorage from "../src/PgStorage.js"
import * as TestDatabase from "../src/TestDatabase.js"

/** Whether the test server answers (skips, or fails under CI, otherwise). */
export const serverAvailable = await TestDatabase.available("PostgreSQL storage tests")

let database: TestDatabase.TestDatabase | undefined

/** Creates this file's database (call in beforeAll). */
export const setUp = async () => {
  if (serverAvailable) database = await TestDatabase.create("mla_storage_test")
}

/** Drops this file's database (call in afterAll). */
export const tearDown = async () => {
  await database?.drop()
}

/** The URL of this file's database, with a search path when given. */
export const databaseUrl = (schema?: string): string => {
  if (database === undefined) throw new Error("setUp() has not run")
  const url = new URL(database.url)
  if (schema !== undefined) url.searchParams.set("options", `-c search_path=${schema}`)
  return url.toString()
}

/** A new, empty schema in this file's database, dropped when the scope closes; its URL. */
export const freshSchema: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.promise(async () => {
    const schema = `s_${randomBytes(5).toString("hex")}`
    await TestDatabase.query(databaseUrl(), `CREATE SCHEMA ${schema}`)
    return schema
  }),
  (schema) => Effect.promise(() => TestDatabase.query(databaseUrl(), `DROP SCHEMA ${schema} CASCADE`).then(() => {}))
).pipe(Effect.map(databaseUrl))

/** The storage on a new schema, for the rest of the scope. */
export const open = (url: string): Effect.Effect<Context.Context<PgStorage.Services>, StorageError.StorageError | import("../src/Database.js").DatabaseUrlError, Scope.Scope> =>
  Layer.build(PgStorage.layer({ url, poolSize: 4 }))

/** Runs an effect against a new, migrated, empty storage. */
export const withDatabase = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, unknown, Scope.Scope | Exclude<R, PgStorage.Services>> =>
  Effect.gen(function*() {
    const url = yield* freshSchema
    const context = yield* open(url)
    return yield* Effect.provide(effect, context)
  })
