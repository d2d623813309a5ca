/**
 * The sandbox check before code answers are graded: an evaluation graded as `code` runs
 * model-written programs, so `evaluate run` and `evaluate rescore` refuse to start without a
 * working sandbox (saying how to get one), and say loudly when `--unsafe-no-sandbox` is on.
 */
import { BenchmarkRepository, type Evaluation } from "@ml-agents/core"
import { CodeGrader } from "@ml-agents/grader-code"
import { Sandbox } from "@ml-agents/sandbox"
import { Effect, Option } from "effect"
import { ExitCode, UserError } from "./Errors.js"
import * as Ui from "./Ui.js"

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

/** Fails with how to get a sandbox when the evaluation is graded as code and none works here. */
export const ensureFor = (evaluation: Evaluation.Evaluation, override?: string | null) =>
  Effect.gen(function*() {
    if ((yield* kindOf(evaluation, override)) !== CodeGrader.KIND) return
    const sandbox = yield* Sandbox.Sandbox
    if (sandbox.mode === "none") {
      yield* Ui.warn(
        "--unsafe-no-sandbox: model-written code runs WITHOUT bubblewrap (no namespaces, only rlimits and an empty environment); " +
          "every result records it"
      )
      return
    }
    yield* sandbox.check.pipe(
      Effect.mapError((error) =>
        new UserError({ code: ExitCode.config, text: `cannot grade code answers: ${error.problem}`, hint: error.hint })
      )
    )
  })
