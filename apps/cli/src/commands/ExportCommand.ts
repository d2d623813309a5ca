/**
 * `ml-agents evaluate export <id> --format csv|json|jsonl [-o file]`: one row per question, streamed
 * from the database a chunk at a time so that memory stays flat however large the evaluation.
 */
import { Args, Command, Options } from "@effect/cli"
import { EvaluationOrchestrator, PassAtK, type QuestionResult, ResultRepository } from "@ml-agents/core"
import { Effect, Option, Stream } from "effect"
import { ExitCode, UserError } from "../Errors.js"
import * as Output from "../Output.js"
import * as Ui from "../Ui.js"

/**
 * The exported fields of one result, in column order. `providers` and `generation_ids` list each
 * model call's, in call order, separated by ";" (empty where unknown); `samples` and
 * `samples_correct` count the samples the agent drew itself and the correct ones (empty for an
 * agent that draws none). JSON exports also carry the full `calls`, `reasoning_trace` and
 * `sample_grades` (each sample's `outcome` and `raw_output`).
 */
export const record = (r: QuestionResult.EvaluationQuestionResult): Record<(typeof columns)[number], unknown> => ({
  evaluation_id: r.evaluationId,
  question_id: r.questionId,
  question: r.questionText,
  expected_answer: r.expectedAnswer,
  extracted_answer: r.extractedAnswer,
  is_correct: r.isCorrect,
  error_category: r.error?.category ?? null,
  error_message: r.error?.description ?? null,
  execution_time_ms: r.executionTimeMs,
  prompt_tokens: r.usage.promptTokens,
  completion_tokens: r.usage.completionTokens,
  reasoning_tokens: r.usage.reasoningTokens,
  total_tokens: r.usage.totalTokens,
  cost_usd: r.costUsd,
  llm_calls: r.llmCalls,
  retries: r.retries,
  cached_calls: r.cachedCalls,
  processed_at: r.processedAt.toISOString(),
  raw_output: r.rawOutput,
  // Added later than the columns above; kept at the end so that readers by position still work.
  outcome: r.outcome,
  grader: r.grader,
  grader_version: r.graderVersion,
  providers: r.calls.map((c) => c.provider ?? "").join(";"),
  generation_ids: r.calls.map((c) => c.generationId ?? "").join(";"),
  samples: r.sampleGrades?.length ?? null,
  samples_correct: r.sampleGrades === null ? null : PassAtK.countSamples(r.sampleGrades).c
})

/** A JSON export's object of one result: `record` and the fields CSV leaves out. */
export const full = (row: ReturnType<typeof record>, r: QuestionResult.EvaluationQuestionResult) => ({
  ...row,
  calls: r.calls,
  reasoning_trace: r.reasoningTrace,
  sample_grades: r.sampleGrades?.map((s) => ({ outcome: s.outcome, raw_output: s.rawOutput })) ?? null
})

/** The CSV header: the keys of `record`, in order. */
export const columns = [
  "evaluation_id", "question_id", "question", "expected_answer", "extracted_answer", "is_correct",
  "error_category", "error_message", "execution_time_ms", "prompt_tokens", "completion_tokens",
  "reasoning_tokens", "total_tokens", "cost_usd", "llm_calls", "retries", "cached_calls",
  "processed_at", "raw_output", "outcome", "grader", "grader_version", "providers", "generation_ids",
  "samples", "samples_correct"
] as const

/** One RFC 4180 field: quoted when it holds a comma, quote or line break. */
export const csvField = (value: unknown): string => {
  if (value === null || value === undefined) return ""
  const text = typeof value === "string" ? value : String(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** `evaluate export`. */
export const command = Command.make(
  "export",
  {
    id: Args.text({ name: "evaluation_id" }).pipe(Args.withDescription("the evaluation's id, as printed by evaluate create (ids: ml-agents evaluate list)")),
    format: Options.choice("format", ["csv", "json", "jsonl"]).pipe(
      Options.withDefault("csv" as const),
      Options.withDescription("CSV (RFC 4180), one JSON array, or JSON Lines (one object per line); JSON adds the calls and the trace")
    ),
    output: Options.file("output").pipe(
      Options.withAlias("o"),
      Options.optional,
      Options.withDescription("file to write (default: standard output), e.g. -o results.csv")
    )
  },
  ({ format, id, output }) =>
    Effect.scoped(Effect.gen(function*() {
      yield* (yield* EvaluationOrchestrator.EvaluationOrchestrator).get(id)
      const results = yield* ResultRepository.ResultRepository
      // Standard output, or the file, written with back-pressure (see Output): a slow reader
      // slows the export down instead of losing rows.
      const file = Option.isSome(output)
        ? yield* Output.toFile(output.value).pipe(
          Effect.mapError((e) => new UserError({ code: ExitCode.general, text: `cannot write ${output.value}: ${e.message}` }))
        )
        : undefined
      const write = file === undefined ? Output.write : file.writer.write
      let count = 0
      yield* Stream.runForEach(results.stream(id), (result) => {
        const row = record(result)
        const text = format === "csv"
          ? (count === 0 ? columns.join(",") + "\r\n" : "") + Object.values(row).map(csvField).join(",") + "\r\n"
          : format === "jsonl"
          ? JSON.stringify(full(row, result)) + "\n"
          : (count === 0 ? "[\n" : ",\n") + JSON.stringify(full(row, result))
        count++
        return write(text)
      })
      if (format === "json") yield* write(count === 0 ? "[]\n" : "\n]\n")
      if (format === "csv" && count === 0) yield* write(columns.join(",") + "\r\n")
      if (file !== undefined) yield* file.writer.flush
      if (Option.isSome(output)) yield* Ui.success(`Exported ${Ui.int(count)} rows to ${output.value}`)
    }))
).pipe(Command.withDescription("Export an evaluation's results, one row per question, as CSV, JSON or JSON Lines"))
