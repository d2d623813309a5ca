/**
 * The CLI on PostgreSQL (`DATABASE_URL=postgresql://…`): a server that refuses the password or is
 * not running is a clear error, exit 2, with the password in no output; `health` reports the
 * server and the schema version; `postgres://` URLs with libpq parameters work. (The whole
 * end-to-end suite also runs on PostgreSQL: see test/postgres.mjs.)
 */
import { TestDatabase } from "@ml-agents/storage-postgres/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Workspace, workspace } from "./support.js"

const serverAvailable = await TestDatabase.available("PostgreSQL end-to-end tests")

describe("a PostgreSQL server that cannot be used", () => {
  let ws: Workspace
  beforeAll(async () => {
    ws = await workspace()
  })
  afterAll(async () => {
    await ws.close()
  })

  it("a refused password: a clear error, exit 2, the password in no output", async () => {
    const server = await TestDatabase.refusingServer()
    try {
      const password = "Pg-S3cret/with@symbols"
      const url = server.url("researcher", password)
      for (const args of [["benchmark", "import", "SAMPLE_MC"], ["health"], ["evaluate", "list"], ["--verbose", "benchmark", "list"]]) {
        const result = await ws.cli(args, { DATABASE_URL: url, LOG_LEVEL: "DEBUG", DATABASE_ECHO: "true" })
        expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(2)
        expect(result.stderr).toContain("refused the password")
        expect(result.stderr).toContain("researcher@127.0.0.1")
        expect(result.stderr).toContain("DATABASE_URL")
        for (const output of [result.stdout, result.stderr]) {
          expect(output).not.toContain(password)
          expect(output).not.toContain(encodeURIComponent(password))
          expect(output).not.toContain("S3cret")
        }
      }
      // The password was sent (to the server, and only there) each time.
      expect(server.passwords.length).toBeGreaterThanOrEqual(4)
      expect(new Set(server.passwords)).toEqual(new Set([password]))
    } finally {
      await server.close()
    }
  })

  it("a server that is not running: a clear error, exit 2, the password in no output", async () => {
    const port = await TestDatabase.closedPort()
    const result = await ws.cli(["benchmark", "list"], { DATABASE_URL: `postgres://lab:hunter2@127.0.0.1:${port}/results?sslmode=disable` })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`lab@127.0.0.1:${port}/results`)
    expect(result.stderr).toContain("connection was refused")
    expect(result.stdout + result.stderr).not.toContain("hunter2")
  })

  it("health on SQLite reports the library and the schema version too", async () => {
    const health = await ws.cli(["health"], { DATABASE_URL: `sqlite:///${ws.dir}/health.db` })
    expect(health.stdout).toMatch(/✓ database\s+\S+health\.db \(DATABASE_URL, set in the environment\) — SQLite 3\.\d+\.\d+, schema v\d+ \(up to date\); 0 benchmarks/)
  })

  it("a bad DATABASE_POOL_SIZE is a configuration error naming it", async () => {
    const result = await ws.cli(["benchmark", "list"], { DATABASE_URL: "postgresql://postgres@127.0.0.1/x", DATABASE_POOL_SIZE: "lots" })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("DATABASE_POOL_SIZE")
  })
})

describe.skipIf(!serverAvailable)("on a PostgreSQL server", () => {
  let database: TestDatabase.TestDatabase
  let ws: Workspace
  beforeAll(async () => {
    database = await TestDatabase.create("mla_cli_pg")
    ws = await workspace()
  })
  afterAll(async () => {
    await ws.close()
    await database.drop()
  })

  it("health reports the server and the schema version; postgres:// with libpq parameters and a pool size work", async () => {
    const url = new URL(database.url)
    url.protocol = "postgres:"
    url.searchParams.set("sslmode", "disable")
    url.searchParams.set("application_name", "ml-agents-e2e")
    const env = { DATABASE_URL: url.toString(), DATABASE_POOL_SIZE: "3" }
    const imported = await ws.cli(["benchmark", "import", "SAMPLE_QA"], env)
    expect(imported.code, imported.stderr).toBe(0)
    const health = await ws.cli(["health"], env)
    expect(health.code, health.stdout + health.stderr).toBe(0)
    expect(health.stdout).toMatch(new RegExp(`✓ database\\s+postgres(ql)?://postgres@127\\.0\\.0\\.1:5432/${database.name}\\S* \\(DATABASE_URL, set in the environment\\) — PostgreSQL \\d+`))
    expect(health.stdout).toMatch(/schema v(\d+) \(up to date\); 1 benchmarks, 0 evaluations/)
    const version = /schema v(\d+)/.exec(health.stdout)![1]
    // A schema written by a newer ml-agents is reported, not used blindly.
    await TestDatabase.query(database.url, "INSERT INTO effect_sql_migrations (migration_id, name) VALUES (99, 'from_the_future')")
    const newer = await ws.cli(["health"], env)
    expect(newer.code).toBe(1)
    expect(newer.stdout).toContain(`schema v99 (this ml-agents knows up to v${version})`)
    expect(newer.stdout).toContain("upgrade ml-agents")
  })
})
