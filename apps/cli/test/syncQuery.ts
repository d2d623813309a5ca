/**
 * Synchronous SQL on PostgreSQL for the end-to-end tests, so that `rows(…)` reads a PostgreSQL
 * database exactly as it reads a SQLite file (synchronously, with `?` placeholders, and values
 * of the same JavaScript types). A worker thread holds the connections and runs each query; the
 * test's thread waits on a shared flag for the answer, which takes a millisecond or two, so the
 * simulator that runs on the same thread is held up no longer than by a SQLite read.
 */
import { createRequire } from "node:module"
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads"

const require = createRequire(import.meta.url)

// Values as SQLite gives them: JSON as text, timestamps as ISO-8601 text, counts and sums as numbers.
const workerSource = `
const { parentPort, workerData } = require("node:worker_threads")
const pg = require(workerData.pg)
const iso = pg.types.getTypeParser(1184, "text")
const types = { getTypeParser: (oid, format) =>
  oid === 20 || oid === 1700 ? Number
  : oid === 114 || oid === 3802 ? (v) => v
  : oid === 1184 ? (v) => iso(v).toISOString()
  : pg.types.getTypeParser(oid, format) }
const clients = new Map()
parentPort.on("message", async ({ url, text, values, port, flag }) => {
  let reply
  try {
    let client = clients.get(url)
    if (client === undefined) {
      client = new pg.Client({ connectionString: url, types })
      // A database dropped at the end of a test ends its connections: forget them.
      client.on("error", () => clients.delete(url))
      await client.connect()
      clients.set(url, client)
    }
    reply = { rows: (await client.query(text, values)).rows }
  } catch (error) {
    reply = { error: String(error && error.message || error) }
  }
  port.postMessage(reply)
  port.close()
  Atomics.store(flag, 0, 1)
  Atomics.notify(flag, 0)
})
parentPort.on("close", () => { for (const c of clients.values()) c.end().catch(() => {}) })
`

let worker: Worker | undefined

const start = (): Worker => {
  worker ??= new Worker(workerSource, { eval: true, workerData: { pg: require.resolve("pg") } })
  worker.unref()
  return worker
}

/** `?` placeholders (SQLite's) as `$1, $2, …`, and SQLite's `json_extract(x, '$.key')` as `x ->> 'key'`. */
export const translate = (sql: string): string => {
  let n = 0
  return sql
    .replace(/json_extract\(([^,]+),\s*'\$\.([A-Za-z0-9_]+)'\)/g, "($1 ->> '$2')")
    .replace(/\?/g, () => `$${++n}`)
}

/** Runs a statement on the PostgreSQL database at `url` and returns its rows, synchronously. */
export const query = (url: string, sql: string, params: ReadonlyArray<unknown>): Array<Record<string, any>> => {
  const flag = new Int32Array(new SharedArrayBuffer(4))
  const { port1, port2 } = new MessageChannel()
  start().postMessage({ url, text: translate(sql), values: params, port: port2, flag }, [port2])
  if (Atomics.wait(flag, 0, 0, 30_000) === "timed-out") throw new Error(`no answer from PostgreSQL in 30 s to: ${sql}`)
  const reply = receiveMessageOnPort(port1)?.message as { rows?: Array<Record<string, any>>; error?: string } | undefined
  port1.close()
  if (reply === undefined) throw new Error(`no reply to: ${sql}`)
  if (reply.error !== undefined) throw new Error(`${reply.error} (in: ${sql})`)
  return reply.rows!
}

/** Closes the worker's connections (for the end of a test file). */
export const close = async (): Promise<void> => {
  const w = worker
  worker = undefined
  await w?.terminate()
}
