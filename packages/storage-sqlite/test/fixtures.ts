/**
 * Test fixtures: a scoped temporary directory, a migrated database in it, and domain values.
 */
// The domain types are imported so that the re-exported fixtures' types can be named here.
import type { AgentConfig, Benchmark, Evaluation, FailureReason, QuestionResult, StorageError } from "@ml-agents/core"
import { StorageConformance } from "@ml-agents/core/testing"
import { type Context, Effect, Layer, type Scope } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as SqliteStorage from "../src/SqliteStorage.js"

/** A fresh directory, removed with everything in it when the scope closes. */
export const tempDir: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "ml-agents-sqlite-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

/** Opens (and migrates) the database file for the rest of the scope, returning its services. */
export const open = (
  filename: string
): Effect.Effect<Context.Context<SqliteStorage.Services>, StorageError.StorageError, Scope.Scope> =>
  Layer.build(SqliteStorage.layer({ filename }))

/** Runs an effect against a new database file in a temporary directory. */
export const withDatabase = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | StorageError.StorageError, Scope.Scope | Exclude<R, SqliteStorage.Services>> =>
  Effect.gen(function*() {
    const dir = yield* tempDir
    const context = yield* open(path.join(dir, "test.db"))
    return yield* Effect.provide(effect, context)
  })

/** The storage conformance suite's values, so these tests store the same shapes it does. */
export const { agentConfig, at, benchmark, evaluation, questions, reason, result } = StorageConformance.fixtures
