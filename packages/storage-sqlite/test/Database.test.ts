/**
 * DATABASE_URL parsing, opening and migrating a real SQLite file, and refusing files that are not
 * SQLite databases.
 */
import { assert, describe, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import { BenchmarkRepository } from "@ml-agents/core"
import { ConfigProvider, Context, Effect, Either, Exit, Layer, Logger, LogLevel, Option } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as Database from "../src/Database.js"
import * as WalSync from "../src/internal/walSync.js"
import * as SqliteStorage from "../src/SqliteStorage.js"
import { benchmark, open, questions, tempDir } from "./fixtures.js"

const cwd = "/home/researcher/project"

describe("Database.parseUrl", () => {
  const accepted: ReadonlyArray<readonly [string | undefined, string]> = [
    [undefined, "/home/researcher/project/ml_agents.db"],
    ["", "/home/researcher/project/ml_agents.db"],
    ["   ", "/home/researcher/project/ml_agents.db"],
    ["sqlite:///ml_agents.db", "/home/researcher/project/ml_agents.db"],
    ["sqlite:///data/results.db", "/home/researcher/project/data/results.db"],
    ["sqlite:///./data/results.db", "/home/researcher/project/data/results.db"],
    ["sqlite:///../shared/x.db", "/home/researcher/shared/x.db"],
    ["sqlite:////var/lib/ml/x.db", "/var/lib/ml/x.db"],
    ["sqlite:////var/lib/ml/x.db?timeout=20", "/var/lib/ml/x.db"],
    ["SQLITE:///upper.db", "/home/researcher/project/upper.db"],
    ["sqlite+pysqlite:///py.db", "/home/researcher/project/py.db"],
    ["sqlite+aiosqlite:////abs/async.db", "/abs/async.db"],
    ["sqlite:///:memory:", ":memory:"],
    ["sqlite://", ":memory:"],
    [":memory:", ":memory:"],
    ["file:x.db", "/home/researcher/project/x.db"],
    ["file:data/x.db?mode=rwc", "/home/researcher/project/data/x.db"],
    ["file:///abs/x.db", "/abs/x.db"],
    ["file://localhost/abs/x.db", "/abs/x.db"],
    ["file:my%20results.db", "/home/researcher/project/my results.db"],
    ["file::memory:", ":memory:"],
    ["./x.db", "/home/researcher/project/x.db"],
    ["x.db", "/home/researcher/project/x.db"],
    ["/abs/x.db", "/abs/x.db"],
    ["  /abs/padded.db  ", "/abs/padded.db"]
  ]
  for (const [url, expected] of accepted) {
    it(`accepts ${JSON.stringify(url)}`, () => {
      assert.deepStrictEqual(Database.parseUrl(url, cwd), Either.right(expected))
    })
  }

  const rejected: ReadonlyArray<readonly [string, string, string]> = [
    // value, what the message must show, what it must never show
    ["postgresql://admin:s3cr3t@db.example.com:5432/ml", "postgresql://admin:***@db.example.com:5432/ml", "s3cr3t"],
    ["postgresql+psycopg2://u:p%40ss@localhost/ml", "postgresql+psycopg2://u:***@localhost/ml", "p%40ss"],
    ["mysql://root:hunter2@localhost/ml", "mysql://root:***@localhost/ml", "hunter2"],
    ["mysql://root:pa@ss@localhost/ml", "mysql://root:***@localhost/ml", "pa@ss"],
    ["postgres://localhost/ml?user=me&password=topsecret", "password=***", "topsecret"],
    ["mssql://sa@host/db", "mssql://sa@host/db", "\u0000"],
    ["sqlite://hostname/x.db", "sqlite://hostname/x.db", "\u0000"],
    ["sqlite:x.db", "sqlite:x.db", "\u0000"],
    ["file://otherhost/x.db", "file://otherhost/x.db", "\u0000"]
  ]
  for (const [url, shown, hidden] of rejected) {
    it(`rejects ${shown}`, () => {
      const result = Database.parseUrl(url, cwd)
      assert.isTrue(Either.isLeft(result))
      const error = Either.getLeft(result).pipe(Option.getOrThrow)
      assert.strictEqual(error._tag, "DatabaseUrlError")
      assert.include(error.message, "DATABASE_URL")
      assert.include(error.message, shown)
      assert.include(error.message, "Only SQLite is supported")
      assert.include(error.message, "sqlite:///")
      assert.include(error.message, "sqlite:////")
      assert.notInclude(error.message, hidden)
      assert.notInclude(error.url, hidden)
    })
  }
})

describe("Database.config", () => {
  const read = (env: Record<string, string>) =>
    Effect.withConfigProvider(Database.config, ConfigProvider.fromMap(new Map(Object.entries(env))))

  it.effect("defaults to ml_agents.db in the working directory, without echo", () =>
    Effect.gen(function*() {
      const config = yield* read({})
      assert.deepStrictEqual(config, { filename: path.resolve("ml_agents.db"), echo: false })
    }))

  it.effect("reads DATABASE_URL and DATABASE_ECHO", () =>
    Effect.gen(function*() {
      const config = yield* read({ DATABASE_URL: "sqlite:////tmp/x.db", DATABASE_ECHO: "true" })
      assert.deepStrictEqual(config, { filename: "/tmp/x.db", echo: true })
    }))

  it.effect("a non-SQLite DATABASE_URL is a ConfigError naming the variable, password masked", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(read({ DATABASE_URL: "postgresql://me:hunter2@localhost/db" }))
      assert.isTrue(Exit.isFailure(exit))
      const text = String(Exit.isFailure(exit) ? exit.cause : "")
      assert.include(text, "DATABASE_URL")
      assert.include(text, "me:***@localhost")
      assert.include(text, "Only SQLite is supported")
      assert.notInclude(text, "hunter2")
    }))

  it.effect("a bad DATABASE_ECHO is a ConfigError naming the variable", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(read({ DATABASE_ECHO: "perhaps" }))
      assert.isTrue(Exit.isFailure(exit))
      assert.include(String(Exit.isFailure(exit) ? exit.cause : ""), "DATABASE_ECHO")
    }))
})

const pragma = (name: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql.unsafe<Record<string, unknown>>(`PRAGMA ${name}`)
    return Object.values(rows[0] ?? {})[0]
  })

const tables = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
  return rows.map((row) => row.name)
})

describe("Database.layer", () => {
  it.scoped("creates the directory, the tables and the indexes, with WAL and foreign keys on", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const filename = path.join(dir, "nested", "deeper", "ml.db")
      const context = yield* open(filename)
      assert.isTrue(fs.existsSync(filename))
      const check = Effect.gen(function*() {
        assert.includeMembers(yield* tables, [
          "benchmarks",
          "effect_sql_migrations",
          "evaluation_question_results",
          "evaluations",
          "questions"
        ])
        assert.strictEqual(yield* pragma("journal_mode"), "wal")
        assert.strictEqual(yield* pragma("foreign_keys"), 1)
        assert.strictEqual(yield* pragma("busy_timeout"), 5000)
        // NORMAL: commits do not wait for the disk; the repositories flush the WAL (walSync.ts).
        assert.strictEqual(yield* pragma("synchronous"), 1)
        assert.isTrue(Option.isSome(yield* Effect.serviceOption(WalSync.WalSync)))
        const sql = yield* SqlClient.SqlClient
        const indexes = yield* sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index'`
        assert.includeMembers(indexes.map((i) => i.name), [
          "evaluations_created_at",
          "evaluations_status",
          "evaluations_benchmark_name",
          "evaluation_question_results_order"
        ])
      })
      yield* Effect.provide(check, context)
    }))

  it.scoped("reopening the same file keeps the data and runs no migration twice", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const filename = path.join(dir, "reopen.db")
      const bench = benchmark("GPQA", 3)
      yield* Effect.scoped(
        Effect.flatMap(open(filename), (context) =>
          Effect.provide(
            Effect.flatMap(BenchmarkRepository.BenchmarkRepository, (repo) => repo.create(bench, questions(3))),
            context
          ))
      )
      for (let i = 0; i < 2; i++) {
        const found = yield* Effect.scoped(
          Effect.flatMap(open(filename), (context) =>
            Effect.provide(
              Effect.gen(function*() {
                const sql = yield* SqlClient.SqlClient
                const migrations = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM effect_sql_migrations`
                assert.strictEqual(migrations[0]?.n, 8) // 0001 to 0008, once each
                return yield* (yield* BenchmarkRepository.BenchmarkRepository).findByName("GPQA")
              }),
              context
            ))
        )
        assert.deepStrictEqual(found, Option.some(bench))
      }
    }))

  it.scoped("two layers on the same file at once (another process) work together", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const filename = path.join(dir, "shared.db")
      const first = yield* open(filename)
      const second = yield* open(filename)
      yield* Effect.provide(
        Effect.flatMap(BenchmarkRepository.BenchmarkRepository, (repo) => repo.create(benchmark("A", 1), questions(1))),
        first
      )
      const seen = yield* Effect.provide(
        Effect.flatMap(BenchmarkRepository.BenchmarkRepository, (repo) => repo.findByName("A")),
        second
      )
      assert.isTrue(Option.isSome(seen))
    }))

  it.scoped("an in-memory database works", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(SqliteStorage.layer({ url: "sqlite:///:memory:" }))
      const names = yield* Effect.provide(tables, context)
      assert.include(names, "evaluations")
      // No WAL to flush: each commit waits for nothing, and nothing outlives the process anyway.
      assert.isTrue(Option.isNone(Context.getOption(context, WalSync.WalSync)))
    }))

  it.scoped("a text file is refused with a StorageError naming the file", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const filename = path.join(dir, "notes.db")
      fs.writeFileSync(filename, "these are my notes, not a database\n".repeat(200))
      const error = yield* Effect.flip(open(filename))
      assert.strictEqual(error._tag, "StorageError")
      assert.strictEqual(error.operation, "Database.open")
      assert.include(error.message, filename)
      assert.include(error.message, "not a SQLite database")
      // untouched
      assert.strictEqual(fs.readFileSync(filename, "utf8"), "these are my notes, not a database\n".repeat(200))
    }))

  it.scoped("a tiny non-database file is refused too", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const filename = path.join(dir, "tiny.db")
      fs.writeFileSync(filename, "hi")
      const error = yield* Effect.flip(open(filename))
      assert.strictEqual(error._tag, "StorageError")
      assert.include(error.message, filename)
    }))

  it.scoped("a directory is refused with a StorageError naming it", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const error = yield* Effect.flip(open(dir))
      assert.strictEqual(error._tag, "StorageError")
      assert.include(error.message, dir)
      assert.include(error.message, "directory")
    }))

  it.scoped("a directory that cannot be created is a StorageError, not a crash", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const blocker = path.join(dir, "file")
      fs.writeFileSync(blocker, "")
      const error = yield* Effect.flip(open(path.join(blocker, "sub", "x.db")))
      assert.strictEqual(error._tag, "StorageError")
      assert.include(error.message, path.join(blocker, "sub"))
    }))

  it.scoped("a corrupt SQLite file (valid header, garbage after) is a StorageError, not a crash", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const filename = path.join(dir, "corrupt.db")
      fs.writeFileSync(filename, Buffer.concat([Buffer.from("SQLite format 3\0", "latin1"), Buffer.alloc(4096, 0xab)]))
      const error = yield* Effect.flip(open(filename))
      assert.strictEqual(error._tag, "StorageError")
      assert.include(error.message, filename)
    }))

  it.scoped("a rejected URL fails the layer with DatabaseUrlError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Layer.build(SqliteStorage.layer({ url: "mysql://root:pw@localhost/ml" })))
      assert.strictEqual(error._tag, "DatabaseUrlError")
      assert.notInclude(error.message, ":pw@")
    }))

  it.scoped("layerConfig opens the database named by DATABASE_URL", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const filename = path.join(dir, "from-config.db")
      const provider = ConfigProvider.fromMap(new Map([["DATABASE_URL", `sqlite:///${filename}`]]))
      const context = yield* Layer.build(SqliteStorage.layerConfig).pipe(Effect.withConfigProvider(provider))
      yield* Effect.provide(
        Effect.flatMap(BenchmarkRepository.BenchmarkRepository, (repo) => repo.create(benchmark("CFG", 1), questions(1))),
        context
      )
      assert.isTrue(fs.existsSync(filename))
    }))

  it.scoped("DATABASE_ECHO logs each statement at Debug level", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const logged: Array<{ level: string; message: string }> = []
      const capture = Logger.make(({ logLevel, message }) => {
        logged.push({ level: logLevel.label, message: Array.isArray(message) ? message.join(" ") : String(message) })
      })
      const program = Effect.gen(function*() {
        const context = yield* Layer.build(SqliteStorage.layer({ filename: path.join(dir, "echo.db"), echo: true }))
        yield* Effect.provide(
          Effect.flatMap(BenchmarkRepository.BenchmarkRepository, (repo) => repo.findByName("nothing")),
          context
        )
      })
      yield* program.pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, capture)),
        Logger.withMinimumLogLevel(LogLevel.Debug)
      )
      const statements = logged.filter((l) => l.message.startsWith("SELECT * FROM benchmarks WHERE"))
      assert.strictEqual(statements.length, 1)
      assert.strictEqual(statements[0]?.level, "DEBUG")
      // the migrations ran under echo as well
      assert.isTrue(logged.some((l) => l.message.startsWith("CREATE TABLE IF NOT EXISTS benchmarks")))
    }))

  it.scoped("without echo nothing is logged per statement", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const logged: Array<string> = []
      const capture = Logger.make(({ message }) => void logged.push(String(message)))
      yield* Effect.gen(function*() {
        const context = yield* Layer.build(SqliteStorage.layer({ filename: path.join(dir, "quiet.db") }))
        yield* Effect.provide(
          Effect.flatMap(BenchmarkRepository.BenchmarkRepository, (repo) => repo.findByName("nothing")),
          context
        )
      }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, capture)), Logger.withMinimumLogLevel(LogLevel.Debug))
      assert.isFalse(logged.some((m) => m.includes("SELECT * FROM benchmarks")))
    }))
})
