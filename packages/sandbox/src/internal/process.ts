/**
 * Runs one launch as a child process without blocking the event loop: feeds the request on
 * stdin, keeps the first bytes of stdout and stderr while counting all of them, collects the
 * harness's report from file descriptor 3, and kills the process (and with it the sandbox, which
 * dies with its parent) when the wall clock runs out, when the output grows past its limit, or
 * when the fiber is interrupted.
 */
import { spawn } from "node:child_process"
import { Effect } from "effect"
import type { Limits } from "../Limits.js"
import type { Launch } from "./launch.js"

/** A stream's first bytes and its total size. */
export interface Captured {
  readonly head: Buffer
  readonly bytes: number
}

/** What the process did, before interpretation. */
export interface RawRun {
  readonly exitCode: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: Captured
  readonly stderr: Captured
  /** The harness's JSON lines. */
  readonly report: string
  readonly timedOut: boolean
  /** Set when the process was stopped for writing too much: on stdout/stderr, or on the report channel. */
  readonly outputExceeded: "streams" | "report" | undefined
  readonly durationMs: number
  /** The process could not be started at all (e.g. ENOENT). */
  readonly spawnError: NodeJS.ErrnoException | undefined
}

/** The most the harness's report may hold: it reports one short line per test. */
const REPORT_LIMIT = 4 * 1024 * 1024

/** Runs `launch` with `input` on stdin under the wall-clock and output limits. */
export const run = (
  launch: Launch,
  input: string,
  limits: Limits,
  options: { readonly cwd?: string | undefined; readonly env: Record<string, string> }
): Effect.Effect<RawRun> =>
  Effect.async<RawRun>((resume) => {
    const started = performance.now()
    let timedOut = false
    let outputExceeded: RawRun["outputExceeded"] = undefined
    let spawnError: NodeJS.ErrnoException | undefined
    let finished = false
    const child = spawn(launch.command, launch.args as Array<string>, {
      stdio: ["pipe", "pipe", "pipe", "pipe"],
      env: options.env,
      cwd: options.cwd,
      // Its own process group, so that the kill below reaches everything it started outside the sandbox.
      detached: true
    })
    const kill = () => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
      try {
        process.kill(-child.pid, "SIGKILL")
      } catch {
        child.kill("SIGKILL")
      }
    }
    const capture = () => {
      const chunks: Array<Buffer> = []
      let kept = 0
      const state = { bytes: 0, head: () => Buffer.concat(chunks) }
      const push = (chunk: Buffer) => {
        state.bytes += chunk.length
        if (kept < limits.keptOutputBytes) {
          const part = chunk.subarray(0, limits.keptOutputBytes - kept)
          chunks.push(part)
          kept += part.length
        }
      }
      return { state, push }
    }
    const out = capture()
    const err = capture()
    const reportChunks: Array<Buffer> = []
    let reportBytes = 0
    const checkOutput = () => {
      if (outputExceeded === undefined && out.state.bytes + err.state.bytes > limits.outputBytes) {
        outputExceeded = "streams"
        kill()
      }
    }
    child.stdout!.on("data", (chunk: Buffer) => {
      out.push(chunk)
      checkOutput()
    })
    child.stderr!.on("data", (chunk: Buffer) => {
      err.push(chunk)
      checkOutput()
    })
    const reportStream = child.stdio[3] as NodeJS.ReadableStream
    reportStream.on("data", (chunk: Buffer) => {
      reportBytes += chunk.length
      if (reportBytes > REPORT_LIMIT) {
        if (outputExceeded === undefined) outputExceeded = "report"
        kill()
        return
      }
      reportChunks.push(chunk)
    })
    // The code may close stdin early or never read it; a broken pipe is not our failure.
    child.stdin!.on("error", () => {})
    child.stdin!.end(input)
    const timer = setTimeout(() => {
      timedOut = true
      kill()
    }, limits.wallMs)
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null) => {
      if (finished) return
      finished = true
      clearTimeout(timer)
      resume(Effect.succeed({
        exitCode,
        signal,
        stdout: { head: out.state.head(), bytes: out.state.bytes },
        stderr: { head: err.state.head(), bytes: err.state.bytes },
        report: Buffer.concat(reportChunks).toString("utf8"),
        timedOut,
        outputExceeded,
        durationMs: performance.now() - started,
        spawnError
      }))
    }
    child.on("error", (error: NodeJS.ErrnoException) => {
      spawnError = error
      if (child.pid === undefined) finish(null, null)
    })
    // "close": the process has exited and its pipes are drained, so the report is complete.
    child.on("close", (code, signal) => finish(code, signal))
    return Effect.sync(() => {
      finished = true
      clearTimeout(timer)
      kill()
    })
  })
