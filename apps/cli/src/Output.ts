/**
 * Standard output as a command writes it: every byte arrives, in order, at the pace of the reader.
 *
 * Why: a pipe's reader may be slow (`| (sleep 1; wc -l)`, `| gzip`) or stop early (`| head -3`).
 * `fs.writeSync` on a non-blocking pipe drops what does not fit (EAGAIN), and `console.log` keeps
 * writing into memory with no back-pressure and loses what is still queued when the process
 * exits. Here each write goes through the stream and waits for `drain` when the stream's buffer
 * is full, and the program waits for the last write to be flushed before it exits. When the reader
 * has gone (EPIPE), the command stops with `OutputClosed`, which the program ends quietly with
 * exit status 141 (128 + SIGPIPE, what the shell reports for any tool stopped by a closed pipe).
 *
 * Use: `Output.line(text)` / `Output.write(text)` / `Output.json(value)` in a command (or `Ui.print`,
 * `Ui.success`, which go through here). A file (`-o out.csv`) gets its own writer: `Output.toFile`.
 */
import { Data, Effect } from "effect"
import * as fs from "node:fs"

/**
 * Output could not be written. `closed`: the reader has gone (a closed pipe), which ends the
 * program quietly; otherwise a real failure (a full disk), reported with its `detail`.
 */
export class OutputClosed extends Data.TaggedError("OutputClosed")<{
  readonly closed: boolean
  readonly detail: string
}> {
  override get message() {
    return this.closed ? "the output was closed by its reader" : `cannot write the output: ${this.detail}`
  }
}

/** Exit status of a program whose output pipe was closed: 128 + SIGPIPE, as the shell reports it. */
export const CLOSED_EXIT_CODE = 141

/** Writes text to one stream with back-pressure. */
export interface Writer {
  /** Writes text; waits when the stream's buffer is full. Fails with OutputClosed once the reader has gone. */
  readonly write: (text: string) => Effect.Effect<void, OutputClosed>
  /** Waits until everything written so far has left the process. */
  readonly flush: Effect.Effect<void, OutputClosed>
  /** Whether the stream is a terminal (colour, redraws). */
  readonly isTTY: boolean
}

const isClosedError = (error: unknown) => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return code === "EPIPE" || code === "ERR_STREAM_DESTROYED" || code === "ECONNRESET"
}

/** A Writer on a Node writable stream. */
export const make = (stream: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly writableNeedDrain?: boolean; readonly destroyed?: boolean }): Writer => {
  let closed = false
  let failure: unknown = undefined
  // Without a listener an EPIPE would be thrown as an uncaught exception (with its stack trace).
  stream.on("error", (error) => {
    closed = true
    failure = error
  })
  const fail = () =>
    new OutputClosed({
      closed: failure === undefined || isClosedError(failure),
      detail: failure instanceof Error ? failure.message : "the stream was closed"
    })
  const waitFor = (register: (done: () => void) => void) =>
    Effect.async<void, OutputClosed>((resume) => {
      const onError = () => resume(Effect.fail(fail()))
      stream.once("error", onError)
      register(() => {
        stream.removeListener("error", onError)
        resume(closed ? Effect.fail(fail()) : Effect.void)
      })
      return Effect.sync(() => stream.removeListener("error", onError))
    })
  const write = (text: string): Effect.Effect<void, OutputClosed> =>
    Effect.suspend(() => {
      if (closed || stream.destroyed === true) return Effect.fail(fail())
      if (text === "") return Effect.void
      const ok = stream.write(text)
      if (ok) return Effect.void
      return waitFor((done) => stream.once("drain", done))
    })
  const flush: Effect.Effect<void, OutputClosed> = Effect.suspend(() => {
    if (closed || stream.destroyed === true) return Effect.fail(fail())
    // The callback of an empty write runs once every earlier write has been handed to the system.
    return waitFor((done) => stream.write("", () => done()))
  })
  return { write, flush, isTTY: stream.isTTY === true }
}

let stdoutWriter: Writer | undefined

/** The writer of standard output (one per process). */
export const stdout = (): Writer => (stdoutWriter ??= make(process.stdout))

/** Writes text to standard output, waiting while the reader catches up. */
export const write = (text: string): Effect.Effect<void, OutputClosed> => Effect.suspend(() => stdout().write(text))

/** Writes a line to standard output. */
export const line = (text: string): Effect.Effect<void, OutputClosed> => write(text + "\n")

/** Writes a value as indented JSON (for `--json`). */
export const json = (value: unknown): Effect.Effect<void, OutputClosed> => line(JSON.stringify(value, null, 2))

/** Waits until all of standard output has left the process (before it exits). */
export const flush: Effect.Effect<void, OutputClosed> = Effect.suspend(() => stdout().flush)

/**
 * Standard error is diagnostics: never fatal to write. A closed stderr is ignored (the command's
 * output still matters), so its EPIPE must not become an uncaught exception either.
 */
export const guardStderr = (): void => {
  if (process.stderr.listenerCount("error") === 0) process.stderr.on("error", () => {})
}

/** A Writer on a new file (created or truncated); closed with `close`. */
export const toFile = (file: string) =>
  Effect.acquireRelease(
    Effect.try({
      // Opened here so that a bad path fails at once, not later as a stream event.
      try: () => {
        const stream = fs.createWriteStream("", { fd: fs.openSync(file, "w") })
        return { writer: make(stream), stream }
      },
      catch: (e) => e as Error
    }),
    ({ stream }) => Effect.async<void>((resume) => {
      stream.end(() => resume(Effect.void))
    })
  )
