/**
 * End-to-end test support: a simulator on 127.0.0.1, a temp working directory with its own
 * database, and the built CLI run as a child process (asynchronously, so the in-process
 * simulator keeps serving while the CLI waits on it).
 *
 * The database is a SQLite file, or with `ML_AGENTS_E2E_STORAGE=postgres` a PostgreSQL database
 * of its own on the test server (`ML_AGENTS_TEST_POSTGRES_URL`), created for the workspace and
 * dropped with it: the same tests then run every command on PostgreSQL. `rows` reads either.
 */
import { start, type RunningSimulator, type SimulatorOptions } from "@ml-agents/simulator"
import { TestDatabase } from "@ml-agents/storage-postgres/testing"
import Database from "better-sqlite3"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as SyncQuery from "./syncQuery.js"

export const cliBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist/bin.js")
export const samplesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../benchmarks")
export const sampleFiles = fs.readdirSync(samplesDir).filter((f) => f.endsWith(".csv")).map((f) => path.join(samplesDir, f))

export interface CliResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** Which storage the end-to-end tests run on (`ML_AGENTS_E2E_STORAGE`): SQLite unless `postgres`. */
export const storage: "sqlite" | "postgres" = process.env.ML_AGENTS_E2E_STORAGE === "postgres" ? "postgres" : "sqlite"

export interface Workspace {
  readonly dir: string
  /** The SQLite file, or the PostgreSQL database's URL: what `rows` and `run` take. */
  readonly dbFile: string
  readonly sim: RunningSimulator
  readonly env: Record<string, string>
  /** Runs `ml-agents <args>` and waits for it. */
  readonly cli: (args: ReadonlyArray<string>, extraEnv?: Record<string, string>) => Promise<CliResult>
  /** Starts `ml-agents <args>` and returns the child, for signal tests. */
  readonly spawnCli: (args: ReadonlyArray<string>, extraEnv?: Record<string, string>) => {
    readonly child: ReturnType<typeof spawn>
    readonly done: Promise<CliResult>
    readonly output: () => { stdout: string; stderr: string }
  }
  readonly close: () => Promise<void>
}

export const KEY = "sk-sim-e2e-7f3a9c1d5b2e8f40"

export const workspace = async (options: SimulatorOptions = {}): Promise<Workspace> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ml-agents-e2e-"))
  const database = storage === "postgres" ? await TestDatabase.create("mla_e2e") : undefined
  const dbFile = database?.url ?? path.join(dir, "test.db")
  const sim = await start({ keys: [KEY], benchmarkFiles: sampleFiles, accuracy: 0.75, ...options })
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: dir,
    XDG_CACHE_HOME: path.join(dir, "cache"),
    NO_COLOR: "1",
    OPENROUTER_BASE_URL: sim.url,
    OPENROUTER_API_KEY: KEY,
    OPENROUTER_MAX_RETRIES: "0",
    DATABASE_URL: database?.url ?? `sqlite:///${dbFile}`
  }
  const spawnCli = (args: ReadonlyArray<string>, extraEnv: Record<string, string> = {}) => {
    const child = spawn(process.execPath, [cliBin, ...args], { cwd: dir, env: { ...env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout!.on("data", (c) => (stdout += c))
    child.stderr!.on("data", (c) => (stderr += c))
    const done = new Promise<CliResult>((resolve) =>
      child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))
    )
    return { child, done, output: () => ({ stdout, stderr }) }
  }
  return {
    dir,
    dbFile,
    sim,
    env,
    cli: (args, extraEnv) => spawnCli(args, extraEnv).done,
    spawnCli,
    close: async () => {
      await sim.close()
      fs.rmSync(dir, { recursive: true, force: true })
      await database?.drop()
    }
  }
}

/** The evaluation id printed by `evaluate create`. */
export const createdId = (stdout: string): string => {
  const id = /Run with: ml-agents evaluate run (eval_[a-z0-9]+)/.exec(stdout)?.[1]
  if (id === undefined) throw new Error(`no evaluation id in:\n${stdout}`)
  return id
}

const isPostgres = (dbFile: string) => /^postgres(ql)?:\/\//.test(dbFile)

/**
 * Rows of a query on a test database, read-only (the CLI may still have it open). Written for
 * SQLite (`?` placeholders); on PostgreSQL the placeholders and `json_extract` are translated.
 */
export const rows = (dbFile: string, sql: string, ...params: Array<unknown>): Array<Record<string, any>> => {
  if (isPostgres(dbFile)) return SyncQuery.query(dbFile, sql, params)
  const db = new Database(dbFile, { readonly: true })
  try {
    return db.prepare(sql).all(...params) as Array<Record<string, any>>
  } finally {
    db.close()
  }
}

/** Runs a statement that changes a test database (SQLite or PostgreSQL, as `rows`). */
export const run = (dbFile: string, sql: string, ...params: Array<unknown>): void => {
  if (isPostgres(dbFile)) {
    SyncQuery.query(dbFile, sql, params)
    return
  }
  const db = new Database(dbFile)
  try {
    db.prepare(sql).run(...params)
  } finally {
    db.close()
  }
}
