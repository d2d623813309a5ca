#!/usr/bin/env node
/**
 * `ml-agents-simulator`: runs the OpenRouter simulator as its own process. It prints exactly one
 * line to stdout, `ml-agents-simulator listening on <url>`, so a parent process can read the port,
 * and stops cleanly on SIGINT/SIGTERM. Bad flags exit with status 2.
 */
import { existsSync } from "node:fs"
import { parseArgs } from "node:util"
import type { FaultRule, SimulatorOptions } from "./Simulator.js"
import { start } from "./Simulator.js"
import * as Validate from "./internal/Validate.js"

const USAGE = `Usage: ml-agents-simulator [options]

An OpenRouter-compatible API on loopback for tests, benchmarks and offline demos.

Options:
  --host H              address to bind (default 127.0.0.1)
  --port P              port (default 0: a random free port)
  --key K               accepted bearer key, repeatable (default sk-sim-local)
  --latency-ms N        delay before each chat reply (default 0)
  --jitter-ms N         extra uniform random delay 0..N (default 0)
  --accuracy F          share of known questions answered correctly, 0..1 (default 0.7)
  --seed N              seed of every deterministic draw (default 1)
  --benchmark FILE      CSV with INPUT and OUTPUT columns for the answer key, repeatable
  --credit-limit USD    answer 402 once the total cost exceeds this
  --fault JSON          a fault rule, repeatable, e.g. '{"fault":{"type":"status","status":429,"retryAfterSeconds":1},"times":2}'
  -h, --help            show this help
`

class UsageError extends Error {}

const num = (value: string | undefined, flag: string, min: number, max: number, integer: boolean): number | undefined => {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === "" || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    const kind = integer ? "an integer" : "a number"
    const range = max === Number.POSITIVE_INFINITY ? `>= ${min}` : `between ${min} and ${max}`
    throw new UsageError(`${flag} must be ${kind} ${range} (got "${value}")`)
  }
  return n
}

const parse = (argv: ReadonlyArray<string>): SimulatorOptions | "help" => {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: "string" },
        port: { type: "string" },
        key: { type: "string", multiple: true },
        "latency-ms": { type: "string" },
        "jitter-ms": { type: "string" },
        accuracy: { type: "string" },
        seed: { type: "string" },
        benchmark: { type: "string", multiple: true },
        "credit-limit": { type: "string" },
        fault: { type: "string", multiple: true },
        help: { type: "boolean", short: "h" }
      }
    })
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  const v = parsed.values
  if (v.help === true) return "help"
  const options: SimulatorOptions = {}
  if (v.host !== undefined) options.host = v.host
  const port = num(v.port, "--port", 0, 65535, true)
  if (port !== undefined) options.port = port
  if (v.key !== undefined) {
    if (v.key.some((k) => k === "")) throw new UsageError("--key must not be empty")
    options.keys = v.key
  }
  const latency = num(v["latency-ms"], "--latency-ms", 0, Number.POSITIVE_INFINITY, false)
  if (latency !== undefined) options.latencyMs = latency
  const jitter = num(v["jitter-ms"], "--jitter-ms", 0, Number.POSITIVE_INFINITY, false)
  if (jitter !== undefined) options.jitterMs = jitter
  const accuracy = num(v.accuracy, "--accuracy", 0, 1, false)
  if (accuracy !== undefined) options.accuracy = accuracy
  const seed = num(v.seed, "--seed", Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, false)
  if (seed !== undefined) options.seed = seed
  if (v.benchmark !== undefined) {
    for (const file of v.benchmark) if (!existsSync(file)) throw new UsageError(`--benchmark: file not found: ${file}`)
    options.benchmarkFiles = v.benchmark
  }
  const limit = num(v["credit-limit"], "--credit-limit", 0, Number.POSITIVE_INFINITY, false)
  if (limit !== undefined) options.creditLimitUsd = limit
  if (v.fault !== undefined) {
    options.faults = v.fault.map((text, i): FaultRule => {
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch (e) {
        throw new UsageError(`--fault #${i + 1} is not valid JSON: ${(e as Error).message}`)
      }
      try {
        return Validate.faultRule(json, `--fault #${i + 1}`)
      } catch (e) {
        throw new UsageError((e as Error).message)
      }
    })
  }
  return options
}

const main = async (): Promise<void> => {
  let options: SimulatorOptions | "help"
  try {
    options = parse(process.argv.slice(2))
  } catch (e) {
    process.stderr.write(`ml-agents-simulator: ${(e as Error).message}\n\n${USAGE}`)
    process.exit(2)
  }
  if (options === "help") {
    process.stdout.write(USAGE)
    return
  }
  let unknown = 0
  options.onUnknownQuestion = (text) => {
    unknown++
    // The first one, then every 100th: enough to notice, not a flood.
    if (unknown === 1 || unknown % 100 === 0) {
      const first = text.split("\n").find((l) => l.trim() !== "")?.trim().slice(0, 80) ?? ""
      process.stderr.write(
        `ml-agents-simulator: warning: ${unknown === 1 ? "a question" : `${unknown} questions`} not in the answer key, answered "I am not sure." ` +
          `(${JSON.stringify(first)}); start the simulator with --benchmark <the CSV you imported>\n`
      )
    }
  }
  if ((options.benchmarkFiles ?? []).length === 0) {
    process.stderr.write(`ml-agents-simulator: warning: no --benchmark file given, so every question is answered "I am not sure."\n`)
  }
  let sim
  try {
    sim = await start(options)
  } catch (e) {
    process.stderr.write(`ml-agents-simulator: ${(e as Error).message}\n`)
    process.exit(e instanceof Validate.ConfigError ? 2 : 1)
  }
  process.stdout.write(`ml-agents-simulator listening on ${sim.url}\n`)
  // How to use it, on stderr (stdout keeps its one line for the programs that read the port).
  process.stderr.write(
    `ml-agents-simulator: point ml-agents at it with: OPENROUTER_BASE_URL=${sim.url} OPENROUTER_API_KEY=${(options.keys ?? ["sk-sim-local"])[0]}\n`
  )
  const stop = () => {
    void sim.close().then(() => process.exit(0))
  }
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
}

void main()
