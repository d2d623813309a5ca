/**
 * The SQLite response cache on a real database file, beyond the storage conformance suite: how
 * entries look in the file, rows that do not decode are misses, entries survive reopening.
 */
import { assert, describe, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import { ResponseCache } from "@ml-agents/core"
import { StorageConformance } from "@ml-agents/core/testing"
import { Effect, Option } from "effect"
import * as path from "node:path"
import { open, tempDir, withDatabase } from "./fixtures.js"

// The same request and response as the conformance suite's cache cases.
const { request, response } = StorageConformance.fixtures

const cache = ResponseCache.ResponseCache

describe("SqliteResponseCache", () => {
  it.scoped("stores a response and reads it back equal, with its request and model alongside", () =>
    withDatabase(Effect.gen(function*() {
      const responses = yield* cache
      const key = yield* ResponseCache.key(request, 0)
      assert.isTrue(Option.isNone(yield* responses.get(key)))

      yield* responses.put(key, request, response("4"))
      assert.deepStrictEqual(yield* responses.get(key), Option.some(response("4")))

      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ model: string; request_json: string; created_at: string }>`
        SELECT model, request_json, created_at FROM response_cache WHERE key = ${key}`
      assert.strictEqual(rows.length, 1)
      assert.strictEqual(rows[0]!.model, "anthropic/claude-3.5-sonnet")
      assert.deepStrictEqual(JSON.parse(rows[0]!.request_json), request)
      assert.match(rows[0]!.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      const indexes = yield* sql<{ name: string }>`
        SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'response_cache'`
      assert.include(indexes.map((i) => i.name), "response_cache_model")
    })))

  it.scoped("reads a row that does not decode as a miss, and lets the next response take its place", () =>
    withDatabase(Effect.gen(function*() {
      const responses = yield* cache
      const sql = yield* SqlClient.SqlClient
      const broken: ReadonlyArray<readonly [string, unknown]> = [
        ["not-json", "{\"content\": \"4\""],
        ["wrong-shape", JSON.stringify({ content: 4, usage: null })],
        ["not-text", 42]
      ]
      for (const [key, json] of broken) {
        yield* sql`INSERT INTO response_cache (key, model, request_json, response_json, created_at)
          VALUES (${key}, 'm', '{}', ${json}, '2025-01-01T00:00:00.000Z')`
        assert.isTrue(Option.isNone(yield* responses.get(key)), key)
        yield* responses.put(key, request, response(`fresh ${key}`))
        assert.strictEqual(Option.getOrThrow(yield* responses.get(key)).content, `fresh ${key}`)
      }
    })))

  it.scoped("survives closing and reopening the file", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const filename = path.join(dir, "cache.db")
      const key = yield* ResponseCache.key(request, 3)
      yield* Effect.scoped(
        Effect.flatMap(open(filename), (context) =>
          Effect.provide(Effect.flatMap(cache, (responses) => responses.put(key, request, response("4"))), context))
      )
      const found = yield* Effect.scoped(
        Effect.flatMap(open(filename), (context) =>
          Effect.provide(Effect.flatMap(cache, (responses) => responses.get(key)), context))
      )
      assert.deepStrictEqual(found, Option.some(response("4")))
    }))

})
