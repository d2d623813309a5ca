/**
 * Turns what the process did (exit status, the harness's report, the limits that fired) into one
 * stored execution: a reason, each test's outcome, the output and a one-line summary. The reasons'
 * precedence is documented in `Execution`.
 */
import { constants } from "node:os"
import type { Execution, Output, Reason, TestOutcome } from "../Execution.js"
import type { Limits } from "../Limits.js"
import type { RawRun } from "./process.js"

interface Failure {
  readonly kind?: string
  readonly type?: string
  readonly message?: string
}

type Event =
  | { readonly event: "start" }
  | { readonly event: "done" }
  | ({ readonly event: "syntax_error"; readonly stage: string; readonly line?: number | null } & Failure)
  | ({ readonly event: "error"; readonly stage: string } & Failure)
  | ({ readonly event: "test"; readonly index: number; readonly passed: boolean; readonly ms?: number } & Failure)

/** The report's events; a line that is not a well-formed event (the code wrote to fd 3, or a kill cut it) is skipped. */
export const events = (report: string): Array<Event> => {
  const found: Array<Event> = []
  for (const line of report.split("\n")) {
    if (line === "") continue
    try {
      const value = JSON.parse(line) as Event
      if (value !== null && typeof value === "object" && typeof value.event === "string") found.push(value)
    } catch {
      // skipped on purpose
    }
  }
  return found
}

const output = (captured: RawRun["stdout"]): Output => ({
  text: captured.head.toString("utf8"),
  bytes: captured.bytes,
  truncated: captured.bytes > captured.head.length
})

const signalName = (number: number): string | undefined =>
  Object.entries(constants.signals).find(([, n]) => n === number)?.[0]

/** How the process ended, in words: "exit code 3", "signal SIGSEGV". bwrap reports a signal as 128 + n. */
const ending = (raw: RawRun, sandboxed: boolean): { readonly text: string; readonly signal: string | undefined } => {
  if (raw.signal !== null) return { text: `signal ${raw.signal}`, signal: raw.signal }
  if (sandboxed && raw.exitCode !== null && raw.exitCode > 128) {
    const name = signalName(raw.exitCode - 128)
    if (name !== undefined) return { text: `signal ${name}`, signal: name }
  }
  return { text: `exit code ${raw.exitCode}`, signal: undefined }
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`
const mib = (bytes: number) => `${Number((bytes / 1024 / 1024).toFixed(1))} MiB`

const describe = (f: Failure): string => [f.type, f.message].filter((s) => s !== undefined && s !== "").join(": ")

/** Whether bwrap failed before the harness started: the sandbox, not the code, is at fault. */
export const sandboxSetupFailure = (raw: RawRun, sandboxed: boolean): string | undefined => {
  if (!sandboxed || raw.timedOut || raw.outputExceeded !== undefined) return undefined
  const started = events(raw.report).some((e) => e.event === "start")
  if (started) return undefined
  const stderr = raw.stderr.head.toString("utf8").trim()
  return /^(bwrap|setpriv):/m.test(stderr) ? stderr.split("\n")[0] : undefined
}

/** The stored execution of one run. */
export const classify = (
  raw: RawRun,
  tests: ReadonlyArray<string>,
  limits: Limits,
  sandboxed: boolean
): Execution => {
  const all = events(raw.report)
  const outcomes: Array<TestOutcome> = tests.map((test) => ({ test, status: "not_run" }))
  const testFailures: Array<Failure & { readonly index: number }> = []
  let done = false
  let syntax: (Failure & { readonly stage: string; readonly line?: number | null }) | undefined
  let error: (Failure & { readonly stage: string }) | undefined
  for (const event of all) {
    if (event.event === "done") done = true
    else if (event.event === "syntax_error") syntax ??= event
    else if (event.event === "error") error ??= event
    else if (event.event === "test" && Number.isInteger(event.index) && event.index >= 0 && event.index < tests.length) {
      const test = tests[event.index]!
      const durationMs = typeof event.ms === "number" ? event.ms : undefined
      if (event.passed) {
        outcomes[event.index] = { test, status: "passed", ...(durationMs === undefined ? {} : { durationMs }) }
      } else {
        outcomes[event.index] = {
          test,
          status: "failed",
          ...(event.type === undefined ? {} : { error: event.type }),
          ...(event.message === undefined || event.message === "" ? {} : { message: event.message }),
          ...(durationMs === undefined ? {} : { durationMs })
        }
        testFailures.push({ ...event })
      }
    }
  }
  const passed = outcomes.filter((o) => o.status === "passed").length
  const total = tests.length
  const firstNotRun = outcomes.findIndex((o) => o.status === "not_run")
  const during = firstNotRun === -1 ? "" : ` during test ${firstNotRun + 1} (${tests[firstNotRun]})`
  const score = `${passed} of ${total} tests passed`
  const end = ending(raw, sandboxed)

  let reason: Reason
  let summary: string
  if (raw.timedOut) {
    reason = "timeout"
    summary = `stopped at the wall-clock limit of ${seconds(limits.wallMs)}${during}; ${score}`
  } else if (raw.outputExceeded !== undefined) {
    reason = "output_limit"
    summary = raw.outputExceeded === "streams"
      ? `stopped after writing more than ${mib(limits.outputBytes)} to stdout/stderr${during}; ${score}`
      : `stopped for flooding the harness's report channel${during}; ${score}`
  } else if (end.signal === "SIGXCPU" || (end.signal === "SIGKILL" && !done && raw.durationMs >= limits.cpuSeconds * 1000)) {
    reason = "timeout"
    summary = `stopped at the CPU-time limit of ${limits.cpuSeconds} s${during}; ${score}`
  } else if (syntax !== undefined) {
    reason = "syntax_error"
    summary = `the ${syntax.stage === "code" ? "code" : "setup"} does not compile: ${describe(syntax)}`
  } else if (error !== undefined) {
    const stage = error.stage === "code" ? "the code" : "the setup"
    reason = error.kind === "memory"
      ? "memory_limit"
      : error.kind === "violation"
      ? "sandbox_violation"
      : error.kind === "exit"
      ? "crash"
      : "runtime_error"
    summary = reason === "memory_limit"
      ? `${stage} ran out of memory (limit ${mib(limits.memoryBytes)}): ${describe(error)}`
      : reason === "sandbox_violation"
      ? `the sandbox refused what ${stage} tried: ${describe(error)}`
      : reason === "crash"
      ? `${stage} ended the interpreter before the tests: ${error.message ?? ""}`
      : `${stage} raised before any test ran: ${describe(error)}`
  } else if (!done) {
    reason = "crash"
    summary = all.some((e) => e.event === "start")
      ? `the interpreter ended (${end.text})${during}; ${score}`
      : `the interpreter ended (${end.text}) before running anything`
  } else {
    const first = testFailures[0]
    const memory = testFailures.find((f) => f.kind === "memory")
    const violation = testFailures.find((f) => f.kind === "violation")
    const failedTest = (f: Failure & { readonly index: number }) => `${tests[f.index]} → ${describe(f)}`
    if (memory !== undefined) {
      reason = "memory_limit"
      summary = `ran out of memory (limit ${mib(limits.memoryBytes)}) in ${failedTest(memory)}; ${score}`
    } else if (violation !== undefined) {
      reason = "sandbox_violation"
      summary = `the sandbox refused what ${failedTest(violation)} tried; ${score}`
    } else if (first !== undefined) {
      reason = "failed"
      summary = `${score}; first failure: ${failedTest(first)}`
    } else {
      reason = "passed"
      summary = score
    }
  }
  return {
    reason,
    summary,
    tests: outcomes,
    passed,
    total,
    stdout: output(raw.stdout),
    stderr: output(raw.stderr),
    durationMs: Math.round(raw.durationMs * 1000) / 1000,
    sandbox: sandboxed ? "bubblewrap" : "none"
  }
}
