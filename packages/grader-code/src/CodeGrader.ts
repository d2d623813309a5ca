/**
 * The `code` answer kind: a grader (core's Grader contract) that extracts the program from a
 * model's reply, runs it against the question's assert tests in the sandbox, and grades it
 * correct only when every test passes. The execution (its reason, each test's outcome, the
 * captured output, the time) is stored with the result as the grade's `details`. A timeout, a
 * crash, a syntax error or the sandbox stopping something is an `incorrect` grade with its own
 * stored reason, never an error of the run; a reply with no code is `no_answer`.
 *
 * At import, `checkBenchmark` runs every reference solution (the `OUTPUT` column) against its own
 * tests in the sandbox and rejects the benchmark, naming the questions and their failing asserts,
 * when any fails.
 */
import { Grader } from "@ml-agents/core"
import { Execution, Sandbox } from "@ml-agents/sandbox"
import { Effect, Schema } from "effect"
import { hasTestsColumn, programOf, setupOf, testsOf } from "./CodeAnswer.js"

/** The answer kind. */
export const KIND = "code"
/** The grader's version, stored with every grade. */
export const VERSION = "code-1"

/** What is stored with each grade: the execution, or why nothing ran. */
export const Details = Schema.Union(
  Schema.Struct({ ...Execution.Execution.fields, kind: Schema.Literal("execution") }),
  Schema.Struct({ kind: Schema.Literal("no_code", "no_tests"), summary: Schema.String })
)
/** A grade's details. */
export type Details = typeof Details.Type

/** Reads stored details back; undefined when they are not a code grade's. */
export const decodeDetails = (value: unknown): Details | undefined =>
  Schema.decodeUnknownOption(Details)(value).pipe((o) => (o._tag === "Some" ? o.value : undefined))

const MAX_SHOWN_FAILURES = 5

/** The code grader, running its programs in `sandbox`. */
export const make = (sandbox: Sandbox.Sandbox["Type"]): Grader.Grader => {
  const execute = (request: Sandbox.Request) =>
    sandbox.run(request).pipe(
      // The CLI checks the sandbox before a run starts; losing it mid-run is a broken machine, not a wrong answer.
      Effect.orDieWith((error) => new Error(error.message))
    )

  return Grader.make({
    kind: KIND,
    version: VERSION,
    description: "Python code, run against the question's assert tests (TESTS column) in a sandbox; correct when every test passes.",
    detect: ({ columns }) => hasTestsColumn(columns),
    checkBenchmark: (questions) =>
      Effect.gen(function*() {
        const noTests = questions.filter((q) => testsOf(q.metadata).length === 0).map((q) => q.id)
        if (noTests.length > 0) {
          return yield* new Grader.BenchmarkRejected({
            kind: KIND,
            problem: `${noTests.length} question${noTests.length === 1 ? " has" : "s have"} no tests (an empty or missing ${"TESTS"} column): ${noTests.slice(0, 20).join(", ")}`,
            hint: "give every question at least one Python assert line in TESTS"
          })
        }
        yield* sandbox.check.pipe(
          Effect.mapError((error) =>
            new Grader.BenchmarkRejected({
              kind: KIND,
              problem: `the reference solutions cannot be checked: ${error.problem}`,
              hint: `${error.hint}; or import without the check with --skip-reference-check`
            })
          )
        )
        const checked = yield* Effect.forEach(
          questions,
          (q) =>
            sandbox.run({ code: q.expectedAnswer, tests: testsOf(q.metadata), setup: setupOf(q.metadata) }).pipe(
              Effect.map((execution) => ({ id: q.id, execution })),
              Effect.mapError((error) =>
                new Grader.BenchmarkRejected({ kind: KIND, problem: `the reference solutions cannot be checked: ${error.problem}`, hint: error.hint })
              )
            ),
          { concurrency: "unbounded" }
        )
        const failing = checked.filter((c) => c.execution.reason !== "passed")
        if (failing.length === 0) return
        const shown = failing.slice(0, MAX_SHOWN_FAILURES).map(({ execution, id }) => {
          const test = execution.tests.find((t) => t.status === "failed")
          const why = test === undefined
            ? `${execution.reason}: ${execution.summary}`
            : `${test.test} → ${[test.error, test.message].filter(Boolean).join(": ")}`
          return `question ${id}: ${why}`
        })
        const more = failing.length > MAX_SHOWN_FAILURES ? `; and ${failing.length - MAX_SHOWN_FAILURES} more` : ""
        return yield* new Grader.BenchmarkRejected({
          kind: KIND,
          problem: `the reference solution (OUTPUT) of ${failing.length} question${failing.length === 1 ? "" : "s"} fails its own tests: ${shown.join("; ")}${more}`,
          hint: "fix those questions' OUTPUT or TESTS, or import anyway with --skip-reference-check"
        })
      }),
    grade: ({ answer, question, rawOutput }) =>
      Effect.gen(function*() {
        const code = programOf(rawOutput, answer)
        if (code === null) {
          return {
            outcome: "no_answer" as const,
            extracted: null,
            grader: KIND,
            version: VERSION,
            reason: "the reply holds no code",
            details: { kind: "no_code", summary: "the reply holds no code" } satisfies Details
          }
        }
        const tests = testsOf(question.metadata)
        if (tests.length === 0) {
          // Graded as code without tests (e.g. --answer-kind code on a benchmark without TESTS): nothing proves it right.
          const summary = "the question has no tests (TESTS column), so the code was not run"
          return { outcome: "incorrect" as const, extracted: code, grader: KIND, version: VERSION, reason: summary, details: { kind: "no_tests", summary } satisfies Details }
        }
        const execution = yield* execute({ code, tests, setup: setupOf(question.metadata) })
        return {
          outcome: execution.reason === "passed" ? "correct" as const : "incorrect" as const,
          extracted: code,
          grader: KIND,
          version: VERSION,
          reason: `${execution.reason}: ${execution.summary}`,
          details: { kind: "execution", ...execution } satisfies Details
        }
      })
  })
}
