/**
 * The CLI's sandbox for the `code` answer kind: bubblewrap by default, or the bare interpreter
 * once a command was given `--unsafe-no-sandbox` (which it says loudly; every execution records
 * it). An evaluation graded as `code` runs model-written programs, so `evaluate run` and
 * `evaluate rescore` refuse to start without a working sandbox, saying how to get one.
 */
import { Options } from "@effect/cli"
import { BenchmarkRepository, type Evaluation } from "@ml-agents/core"
import { CodeGrader } from "@ml-agents/grader-code"
import { Sandbox } from "@ml-agents/sandbox"
import { Context, Effect, Option } from "effect"
import { ExitCode, UserError } from "./Errors.js"
import * as Ui from "./Ui.js"

/** The code sandbox of this process, and the switch to run without one. */
export class CodeSandbox extends Context.Tag("@ml-agents/cli/CodeSandbox")<CodeSandbox, {
  /** What the code grader runs programs in: the sandbox, or the bare interpreter after `allowUnsafe`. */
  readonly sandbox: Sandbox.Sandbox["Type"]
  /** From now on, run code without bubblewrap (`--unsafe-no-sandbox`). */
  readonly allowUnsafe: Effect.Effect<void>
}>() {}

/** Both sandboxes, bounded by `concurrency` executions at once; bubblewrap until `allowUnsafe`. */
export const make = (concurrency: number) =>
  Effect.gen(function*() {
    const safe = yield* Sandbox.make({ concurrency })
    const unsafe = yield* Sandbox.make({ concurrency, unsafeNoSandbox: true })
    let unsafeOn = false
    const current = () => (unsafeOn ? unsafe : safe)
    const sandbox: Sandbox.Sandbox["Type"] = {
      get mode() {
        return current().mode
      },
      concurrency,
      check: Effect.suspend(() => current().check),
      run: (request) => Effect.suspend(() => current().run(request))
    }
    return CodeSandbox.of({ sandbox, allowUnsafe: Effect.sync(() => void (unsafeOn = true)) })
  })

/** `--unsafe-no-sandbox`, for the commands that may run code. */
export const unsafeOption = Options.boolean("unsafe-no-sandbox").pipe(
  Options.withDescription("run model-written code (the code answer kind) WITHOUT the bubblewrap sandbox; recorded with every result")
)

/** Turns the sandbox off for this process, saying so. */
export const useUnsafe = Effect.gen(function*() {
  yield* (yield* CodeSandbox).allowUnsafe
  yield* Ui.warn(
    "--unsafe-no-sandbox: model-written code runs WITHOUT bubblewrap (no namespaces: it can read your files and use the network; " +
      "only rlimits and an empty environment); every result records it"
  )
})

/** The answer kind an evaluation is graded as: `override` (rescore's), else its own, else its benchmark's. */
export const kindOf = (evaluation: Evaluation.Evaluation, override: string | null | undefined) =>
  Effect.gen(function*() {
    if (override !== undefined && override !== null) return override
    if (override === undefined && evaluation.answerKind !== null) return evaluation.answerKind
    const benchmark = yield* (yield* BenchmarkRepository.BenchmarkRepository).findById(evaluation.benchmarkId)
    return Option.match(benchmark, {
      onNone: () => undefined,
      onSome: (b) => (typeof b.metadata.answerKind === "string" ? b.metadata.answerKind : undefined)
    })
  })

/**
 * Before grading an evaluation: when it is graded as code, turns the sandbox off if `unsafe`
 * (loudly), else fails with how to get a sandbox when none works here.
 */
export const ensureFor = (evaluation: Evaluation.Evaluation, unsafe: boolean, override?: string | null) =>
  Effect.gen(function*() {
    if ((yield* kindOf(evaluation, override)) !== CodeGrader.KIND) return
    if (unsafe) return yield* useUnsafe
    yield* (yield* CodeSandbox).sandbox.check.pipe(
      Effect.mapError((error) =>
        new UserError({ code: ExitCode.config, text: `cannot grade code answers: ${error.problem}`, hint: error.hint })
      )
    )
  })
