/**
 * What one run of untrusted code against its tests produced: one stored reason for the whole run,
 * the outcome of each test (which assert failed, and why), the captured output (truncated, and
 * saying so) and the time. Schemas, because executions are stored with results and read back.
 *
 * Reasons, in the order they take precedence:
 * - `timeout`: the wall-clock limit or the CPU-time limit stopped the process;
 * - `output_limit`: stdout + stderr (or the harness's report) grew past the output limit, and the
 *   process was stopped;
 * - `memory_limit`: the code or a test ran out of the memory (address space) limit;
 * - `sandbox_violation`: the sandbox refused something the code tried (writing outside its
 *   directory, a network connection, another process past the process limit, a file past the
 *   file-size limit, …) and the code did not recover from it;
 * - `syntax_error`: the code (or the setup) does not compile;
 * - `runtime_error`: the code (or the setup) raised before any test ran;
 * - `crash`: the interpreter ended before the tests were over (a signal, `os._exit`, a segfault);
 * - `failed`: every test ran and at least one failed;
 * - `passed`: every test ran and passed.
 */
import { Schema } from "effect"

/** Why a run ended as it did; one per execution. */
export const Reason = Schema.Literal(
  "passed",
  "failed",
  "syntax_error",
  "runtime_error",
  "timeout",
  "memory_limit",
  "output_limit",
  "sandbox_violation",
  "crash"
)
/** A run's reason. */
export type Reason = typeof Reason.Type

/** Every reason, for tables and documentation. */
export const reasons: ReadonlyArray<Reason> = Reason.literals

/** How one test ended: passed, failed, or not run because the run stopped before it. */
export const TestStatus = Schema.Literal("passed", "failed", "not_run")
/** A test's status. */
export type TestStatus = typeof TestStatus.Type

/** One test line and what happened to it. */
export const TestOutcome = Schema.Struct({
  /** The assert line, as given. */
  test: Schema.String,
  status: TestStatus,
  /** For a failure: the exception's type (`AssertionError`, `NameError`, `MemoryError`, …). */
  error: Schema.optional(Schema.String),
  /** For a failure: the exception's message, e.g. "got 5, expected == 6". */
  message: Schema.optional(Schema.String),
  /** Time the test took inside the interpreter, when it ran. */
  durationMs: Schema.optional(Schema.Number)
})
/** A test's outcome. */
export type TestOutcome = typeof TestOutcome.Type

/** Captured output: the first bytes of a stream, its full size, and whether it was cut. */
export const Output = Schema.Struct({
  text: Schema.String,
  bytes: Schema.Number,
  truncated: Schema.Boolean
})
/** A captured stream. */
export type Output = typeof Output.Type

/** The whole execution, as stored. */
export const Execution = Schema.Struct({
  reason: Reason,
  /** One line for people: what happened, e.g. "2 of 3 tests passed; failed: assert f(2) == 4". */
  summary: Schema.String,
  tests: Schema.Array(TestOutcome),
  passed: Schema.Number,
  total: Schema.Number,
  stdout: Output,
  stderr: Output,
  durationMs: Schema.Number,
  /** `bubblewrap` when the code ran in the sandbox, `none` under `--unsafe-no-sandbox`. */
  sandbox: Schema.Literal("bubblewrap", "none")
})
/** An execution. */
export type Execution = typeof Execution.Type

/** The code to run and the tests to run it against. */
export interface Program {
  /** The candidate solution: a Python module. */
  readonly code: string
  /** Python assert statements, one per entry (MBPP's shape), run in order after the code. */
  readonly tests: ReadonlyArray<string>
  /** Python run after the code and before the tests (MBPP's `test_setup_code`). */
  readonly setup?: string | undefined
}
