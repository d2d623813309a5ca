/**
 * Throw-away PostgreSQL databases for tests: where the test server is
 * (`ML_AGENTS_TEST_POSTGRES_URL`, default `postgresql://postgres@127.0.0.1:5432/test`), whether it
 * answers, and a database of its own per test file, created with a unique name and dropped after.
 * Where no server answers, tests skip with one line saying why, except under CI (`CI=true`),
 * where that is a failure: CI promises a server, so a missing one is a broken set-up, not a pass.
 */
import { randomBytes } from "node:crypto"
import * as Pg from "pg"

/** The default test server: the local PostgreSQL with trust authentication. */
export const DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"

/** The test server's URL. */
export const serverUrl = (): string => process.env.ML_AGENTS_TEST_POSTGRES_URL?.trim() || DEFAULT_URL

/** Whether tests run under CI, where they must not skip. */
export const isCi = (): boolean => ["true", "1"].includes((process.env.CI ?? "").toLowerCase())

const masked = (url: string) => url.replace(/^([a-z]+:\/\/[^:@/]*):[^@/]*@/i, "$1:***@")

/**
 * Whether the test server answers. When it does not: under CI this throws (the tests fail);
 * otherwise it prints one line saying why the PostgreSQL tests are skipped and returns false.
 */
export const available = async (what = "PostgreSQL tests"): Promise<boolean> => {
  const url = serverUrl()
  const client = new Pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query("SELECT 1")
    return true
  } catch (error) {
    const why = `no PostgreSQL server answers at ${masked(url)} (${(error as Error).message || (error as { code?: string }).code})`
    if (isCi()) throw new Error(`${why}; CI=true, so the ${what} fail instead of skipping. Start the server or set ML_AGENTS_TEST_POSTGRES_URL.`)
    console.warn(`⚠ skipping the ${what}: ${why}. Set ML_AGENTS_TEST_POSTGRES_URL to a server where databases may be created.`)
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

/** A database created for a test, and how to drop it. */
export interface TestDatabase {
  /** Its URL (the server's URL with the database name replaced). */
  readonly url: string
  readonly name: string
  /** Drops it, ending any connection still open to it. */
  readonly drop: () => Promise<void>
}

/** The server URL pointing at another database, with optional extra parameters. */
export const urlFor = (database: string, params: Record<string, string> = {}): string => {
  const url = new URL(serverUrl())
  url.pathname = `/${database}`
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value)
  return url.toString()
}

const admin = async <A>(f: (client: Pg.Client) => Promise<A>): Promise<A> => {
  const client = new Pg.Client({ connectionString: serverUrl(), connectionTimeoutMillis: 5000 })
  await client.connect()
  try {
    return await f(client)
  } finally {
    await client.end().catch(() => {})
  }
}

/** Creates a new, empty database named `<prefix>_<random>` on the test server. */
export const create = async (prefix = "mla_test"): Promise<TestDatabase> => {
  const name = `${prefix.toLowerCase().replace(/[^a-z0-9_]/g, "_").slice(0, 40)}_${randomBytes(5).toString("hex")}`
  await admin((client) => client.query(`CREATE DATABASE ${Pg.escapeIdentifier(name)}`))
  return {
    name,
    url: urlFor(name),
    drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS ${Pg.escapeIdentifier(name)} WITH (FORCE)`)).then(() => {})
  }
}

/** Runs SQL on a database (for tests that look at rows directly). */
export const query = async <A extends Record<string, unknown> = Record<string, unknown>>(
  url: string,
  text: string,
  values: ReadonlyArray<unknown> = []
): Promise<Array<A>> => {
  const client = new Pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(text, values as Array<unknown>)).rows as Array<A>
  } finally {
    await client.end().catch(() => {})
  }
}

/** A stand-in server that answers like PostgreSQL refusing a password, and what it was sent. */
export interface RefusingServer {
  /** A URL for it with `user:password`. */
  readonly url: (user: string, password: string) => string
  /** The passwords clients sent it. */
  readonly passwords: ReadonlyArray<string>
  readonly close: () => Promise<void>
}

const message = (type: string, body: Buffer): Buffer => {
  const header = Buffer.alloc(5)
  header.write(type, 0, "latin1")
  header.writeInt32BE(body.length + 4, 1)
  return Buffer.concat([header, body])
}

/**
 * A TCP server on 127.0.0.1 (port chosen by the system) speaking just enough of PostgreSQL's wire
 * protocol to ask for a cleartext password and refuse it with SQLSTATE 28P01, as a server with
 * password authentication does. The test server trusts every local user, so this is how a wrong
 * password is tested.
 */
export const refusingServer = async (): Promise<RefusingServer> => {
  const net = await import("node:net")
  const passwords: Array<string> = []
  const server = net.createServer((socket) => {
    let buffer = Buffer.alloc(0)
    let started = false
    socket.on("error", () => {})
    socket.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk])
      for (;;) {
        if (!started) {
          if (buffer.length < 8) return
          const length = buffer.readInt32BE(0)
          if (buffer.length < length) return
          const code = buffer.readInt32BE(4)
          buffer = buffer.subarray(length)
          if (code === 80877103) {
            socket.write("N") // no SSL
            continue
          }
          started = true
          const auth = Buffer.alloc(4)
          auth.writeInt32BE(3) // AuthenticationCleartextPassword
          socket.write(message("R", auth))
          continue
        }
        if (buffer.length < 5) return
        const length = buffer.readInt32BE(1)
        if (buffer.length < length + 1) return
        const type = buffer.toString("latin1", 0, 1)
        const body = buffer.subarray(5, length + 1)
        buffer = buffer.subarray(length + 1)
        if (type === "p") {
          passwords.push(body.toString("utf8").replace(/\0$/, ""))
          const fields = ["SFATAL", "VFATAL", "C28P01", "Mpassword authentication failed for user \"researcher\""]
          socket.end(message("E", Buffer.from(fields.map((f) => `${f}\0`).join("") + "\0", "utf8")))
          return
        }
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as import("node:net").AddressInfo).port
  return {
    url: (user, password) => `postgresql://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/research`,
    passwords,
    close: () => new Promise((resolve) => server.close(() => resolve()))
  }
}

/** A port on 127.0.0.1 where nothing listens (bound by the system, then released). */
export const closedPort = async (): Promise<number> => {
  const net = await import("node:net")
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as import("node:net").AddressInfo).port
  await new Promise((resolve) => server.close(resolve))
  return port
}
