/**
 * Row schemas: how each domain class is laid out in its table, in both dialects. Each `…FromRow`
 * schema decodes a row as SQLite returns it into the core class and encodes the class into the
 * row to write, so JSON columns, ISO-8601 timestamps and 0/1 booleans go through core's own
 * Schemas and a row round-trips to an equal domain value. The PostgreSQL adapter reads `json` and
 * `timestamptz` as text (its internal/types.ts), so its rows have the same shape.
 */
import { AgentConfig, AnswerKind, Benchmark, Evaluation, FailureReason, Grader, QuestionResult, Usage } from "@ml-agents/core"
import { Either, ParseResult, Schema } from "effect"

/** A boolean stored as INTEGER 0 or 1 (SQLite has no boolean type and the driver binds none). */
export const BooleanFromInt = Schema.transform(Schema.Literal(0, 1), Schema.Boolean, {
  strict: true,
  decode: (n) => n === 1,
  encode: (b) => (b ? 1 : 0)
})

/**
 * Any JSON value in a nullable TEXT column. `undefined` (which JSON cannot represent) is stored
 * as NULL and read back as null.
 */
export const JsonValueOrNull = Schema.transformOrFail(Schema.NullOr(Schema.String), Schema.Unknown, {
  strict: true,
  decode: (text, _, ast) =>
    text === null
      ? ParseResult.succeed(null)
      : ParseResult.try({
        try: () => JSON.parse(text) as unknown,
        catch: (error) => new ParseResult.Type(ast, text, `invalid JSON: ${String(error)}`)
      }),
  encode: (value, _, ast) =>
    value === undefined
      ? ParseResult.succeed(null)
      : ParseResult.try({
        try: () => JSON.stringify(value) ?? null,
        catch: (error) => new ParseResult.Type(ast, value, `not serialisable as JSON: ${String(error)}`)
      })
})

const StringRecord = Schema.Record({ key: Schema.String, value: Schema.String })
const UnknownRecord = Schema.Record({ key: Schema.String, value: Schema.Unknown })

// ---------------------------------------------------------------------------------------------
// benchmarks

/** A row of `benchmarks`, as stored (a type alias, not an interface, so it is a `Record` for `sql.insert`). */
export type BenchmarkRow = {
  readonly id: string
  readonly name: string
  readonly description: string
  readonly question_count: number
  readonly format_version: string
  /** JSON object. */
  readonly metadata: string
  /** ISO-8601. */
  readonly created_at: string
}

const BenchmarkRow = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  description: Schema.String,
  question_count: Schema.Int,
  format_version: Schema.String,
  metadata: Schema.parseJson(UnknownRecord),
  created_at: Schema.Date
})

/** A `benchmarks` row ⇄ PreprocessedBenchmark. */
export const BenchmarkFromRow: Schema.Schema<Benchmark.PreprocessedBenchmark, BenchmarkRow> = Schema.transform(
  BenchmarkRow, Schema.typeSchema(Benchmark.PreprocessedBenchmark), {
  strict: true,
  decode: (row) =>
    new Benchmark.PreprocessedBenchmark({
      id: row.id,
      name: row.name,
      description: row.description,
      questionCount: row.question_count,
      formatVersion: row.format_version,
      metadata: row.metadata,
      createdAt: row.created_at
    }, true),
  encode: (benchmark) => ({
    id: benchmark.id,
    name: benchmark.name,
    description: benchmark.description,
    question_count: benchmark.questionCount,
    format_version: benchmark.formatVersion,
    metadata: benchmark.metadata,
    created_at: benchmark.createdAt
  })
})

// ---------------------------------------------------------------------------------------------
// questions

/** A row of `questions` as written: the question plus its benchmark and position in the file. */
export const QuestionInsertRow = Schema.Struct({
  benchmark_id: Schema.String,
  ordinal: Schema.Int,
  id: Schema.String,
  text: Schema.String,
  expected_answer: Schema.String,
  metadata: Schema.parseJson(StringRecord)
})

/**
 * A `questions` row → Question, checked by hand, or undefined when any check fails (the caller
 * then decodes with `QuestionFromRow`, whose message says what is wrong). A run reads every
 * question of its benchmark, and this is several times cheaper than the schema.
 */
export const questionFromRowFast = (row: unknown): Benchmark.Question | undefined => {
  if (typeof row !== "object" || row === null) return undefined
  const { expected_answer, id, metadata, text } = row as Record<string, unknown>
  if (typeof id !== "string" || typeof text !== "string" || typeof expected_answer !== "string" || typeof metadata !== "string") {
    return undefined
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(metadata)
  } catch {
    return undefined
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined
  for (const value of Object.values(parsed)) if (typeof value !== "string") return undefined
  return new Benchmark.Question({ id, text, expectedAnswer: expected_answer, metadata: parsed as Record<string, string> }, true)
}

/** A `questions` row (as read, without benchmark and position) → Question. */
export const QuestionFromRow = Schema.transform(
  Schema.Struct({
    id: Schema.String,
    text: Schema.String,
    expected_answer: Schema.String,
    metadata: Schema.parseJson(StringRecord)
  }),
  Schema.typeSchema(Benchmark.Question),
  {
    strict: true,
    decode: (row) =>
      new Benchmark.Question({
        id: row.id,
        text: row.text,
        expectedAnswer: row.expected_answer,
        metadata: row.metadata
      }, true),
    encode: (question) => ({
      id: question.id,
      text: question.text,
      expected_answer: question.expectedAnswer,
      metadata: question.metadata
    })
  }
)

// ---------------------------------------------------------------------------------------------
// evaluations

/** A row of `evaluations`, as stored. */
export type EvaluationRow = {
  readonly id: string
  readonly agent_type: string
  readonly model_provider: string
  readonly model_name: string
  /** JSON: the encoded ModelParameters. */
  readonly model_parameters: string
  /** JSON object. */
  readonly agent_parameters: string
  readonly benchmark_id: string
  readonly benchmark_name: string
  readonly status: Evaluation.EvaluationStatus
  /** ISO-8601. */
  readonly created_at: string
  readonly started_at: string | null
  readonly completed_at: string | null
  /** JSON: the encoded FailureReason. */
  readonly failure_reason: string | null
  readonly answer_kind: AnswerKind.AnswerKind | null
}

const EvaluationRow = Schema.Struct({
  id: Schema.String,
  agent_type: Schema.String,
  model_provider: Schema.String,
  model_name: Schema.String,
  model_parameters: Schema.parseJson(AgentConfig.ModelParameters),
  agent_parameters: Schema.parseJson(UnknownRecord),
  benchmark_id: Schema.String,
  benchmark_name: Schema.String,
  status: Evaluation.EvaluationStatus,
  created_at: Schema.Date,
  started_at: Schema.NullOr(Schema.Date),
  completed_at: Schema.NullOr(Schema.Date),
  failure_reason: Schema.NullOr(Schema.parseJson(FailureReason.FailureReason)),
  answer_kind: Schema.NullOr(AnswerKind.AnswerKind)
})

/** An `evaluations` row ⇄ Evaluation. */
export const EvaluationFromRow: Schema.Schema<Evaluation.Evaluation, EvaluationRow> = Schema.transform(
  EvaluationRow, Schema.typeSchema(Evaluation.Evaluation), {
  strict: true,
  decode: (row) =>
    new Evaluation.Evaluation({
      id: row.id,
      agentConfig: new AgentConfig.AgentConfig({
        agentType: row.agent_type,
        modelProvider: row.model_provider,
        modelName: row.model_name,
        modelParameters: row.model_parameters,
        agentParameters: row.agent_parameters
      }, true),
      benchmarkId: row.benchmark_id,
      benchmarkName: row.benchmark_name,
      status: row.status,
      createdAt: row.created_at,
      startedAt: row.started_at,
      completedAt: row.completed_at,
      failureReason: row.failure_reason,
      answerKind: row.answer_kind
    }, true),
  encode: (evaluation) => ({
    id: evaluation.id,
    agent_type: evaluation.agentConfig.agentType,
    model_provider: evaluation.agentConfig.modelProvider,
    model_name: evaluation.agentConfig.modelName,
    model_parameters: evaluation.agentConfig.modelParameters,
    agent_parameters: evaluation.agentConfig.agentParameters,
    benchmark_id: evaluation.benchmarkId,
    benchmark_name: evaluation.benchmarkName,
    status: evaluation.status,
    created_at: evaluation.createdAt,
    started_at: evaluation.startedAt,
    completed_at: evaluation.completedAt,
    failure_reason: evaluation.failureReason,
    answer_kind: evaluation.answerKind
  })
})

// ---------------------------------------------------------------------------------------------
// evaluation_question_results

/**
 * A row of `evaluation_question_results`, without `ordinal`: that one is copied from `questions`
 * by the INSERT itself. `error_category` is derived from `error_json` when writing, so that
 * errors can be counted by category in SQL.
 */
export type ResultRow = {
  readonly evaluation_id: string
  readonly question_id: string
  readonly question_text: string
  readonly expected_answer: string
  readonly extracted_answer: string | null
  readonly raw_output: string | null
  readonly is_correct: 0 | 1
  readonly execution_time_ms: number
  /** JSON, or NULL. */
  readonly reasoning_trace: string | null
  readonly error_category: string | null
  /** JSON: the encoded FailureReason, or NULL. */
  readonly error_json: string | null
  readonly prompt_tokens: number
  readonly completion_tokens: number
  readonly reasoning_tokens: number
  readonly total_tokens: number
  readonly cost_usd: number | null
  readonly llm_calls: number
  readonly retries: number
  readonly cached_calls: number
  readonly outcome: "correct" | "incorrect" | "no_answer" | null
  readonly grader: string | null
  readonly grader_version: string | null
  /** JSON, or NULL. */
  readonly grade_details: string | null
  /** JSON array of the samples' grades (`{outcome, rawOutput}`), or NULL when the agent drew none. */
  readonly sample_grades: string | null
  /** JSON array of the question's model calls. */
  readonly calls: string
  /** ISO-8601. */
  readonly processed_at: string
}

const ResultRow = Schema.Struct({
  evaluation_id: Schema.String,
  question_id: Schema.String,
  question_text: Schema.String,
  expected_answer: Schema.String,
  extracted_answer: Schema.NullOr(Schema.String),
  raw_output: Schema.NullOr(Schema.String),
  is_correct: BooleanFromInt,
  execution_time_ms: Schema.Number,
  reasoning_trace: JsonValueOrNull,
  error_category: Schema.NullOr(Schema.String),
  error_json: Schema.NullOr(Schema.parseJson(FailureReason.FailureReason)),
  prompt_tokens: Schema.Int,
  completion_tokens: Schema.Int,
  reasoning_tokens: Schema.Int,
  total_tokens: Schema.Int,
  cost_usd: Schema.NullOr(Schema.Number),
  llm_calls: Schema.Int,
  retries: Schema.Int,
  cached_calls: Schema.Int,
  outcome: Schema.NullOr(Grader.Outcome),
  grader: Schema.NullOr(Schema.String),
  grader_version: Schema.NullOr(Schema.String),
  grade_details: JsonValueOrNull,
  // NULL in rows written before the column existed, as for an agent that drew no samples.
  sample_grades: Schema.NullOr(Schema.parseJson(Schema.Array(QuestionResult.SampleGrade))),
  calls: Schema.parseJson(Schema.Array(QuestionResult.ModelCall)),
  processed_at: Schema.Date
})

/** The columns that hold one of a result's values as it is (the others need encoding). */
const plainColumns = (result: QuestionResult.EvaluationQuestionResult) => ({
  evaluation_id: result.evaluationId,
  question_id: result.questionId,
  question_text: result.questionText,
  expected_answer: result.expectedAnswer,
  extracted_answer: result.extractedAnswer,
  raw_output: result.rawOutput,
  execution_time_ms: result.executionTimeMs,
  error_category: result.error?.category ?? null,
  prompt_tokens: result.usage.promptTokens,
  completion_tokens: result.usage.completionTokens,
  reasoning_tokens: result.usage.reasoningTokens,
  total_tokens: result.usage.totalTokens,
  cost_usd: result.costUsd,
  llm_calls: result.llmCalls,
  retries: result.retries,
  cached_calls: result.cachedCalls,
  outcome: result.outcome,
  grader: result.grader,
  grader_version: result.graderVersion
})

/** An `evaluation_question_results` row ⇄ EvaluationQuestionResult. */
export const ResultFromRow: Schema.Schema<QuestionResult.EvaluationQuestionResult, ResultRow> = Schema.transform(
  ResultRow, Schema.typeSchema(QuestionResult.EvaluationQuestionResult), {
  strict: true,
  decode: (row) =>
    new QuestionResult.EvaluationQuestionResult({
      evaluationId: row.evaluation_id,
      questionId: row.question_id,
      questionText: row.question_text,
      expectedAnswer: row.expected_answer,
      extractedAnswer: row.extracted_answer,
      rawOutput: row.raw_output,
      isCorrect: row.is_correct,
      executionTimeMs: row.execution_time_ms,
      reasoningTrace: row.reasoning_trace,
      error: row.error_json,
      usage: new Usage.TokenUsage({
        promptTokens: row.prompt_tokens,
        completionTokens: row.completion_tokens,
        reasoningTokens: row.reasoning_tokens,
        totalTokens: row.total_tokens
      }, true),
      costUsd: row.cost_usd,
      llmCalls: row.llm_calls,
      retries: row.retries,
      cachedCalls: row.cached_calls,
      outcome: row.outcome,
      grader: row.grader,
      graderVersion: row.grader_version,
      gradeDetails: row.grade_details,
      sampleGrades: row.sample_grades,
      calls: row.calls,
      processedAt: row.processed_at
    }, true),
  encode: (result) => ({
    ...plainColumns(result),
    is_correct: result.isCorrect,
    reasoning_trace: result.reasoningTrace,
    grade_details: result.gradeDetails,
    sample_grades: result.sampleGrades,
    error_json: result.error,
    calls: result.calls,
    processed_at: result.processedAt
  })
})

const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value) ?? null)

/**
 * The row `ResultFromRow` encodes a result into, built directly: writing a result is on every
 * question's path, and the Schema encode, which validates each field (each model call included)
 * on both sides of the transform, took about 90 µs of it. Results are built by the orchestrator
 * from checked parts, so there is nothing left to validate; what can still fail is a reasoning
 * trace that JSON cannot represent (a cycle, a BigInt), with ResultFromRow's message. A test
 * holds the two encodings equal.
 */
export const resultRow = (result: QuestionResult.EvaluationQuestionResult): Either.Either<ResultRow, string> => {
  let trace: string | null
  try {
    trace = json(result.reasoningTrace)
  } catch (error) {
    return Either.left(`reasoning_trace: not serialisable as JSON: ${String(error)}`)
  }
  let details: string | null
  try {
    details = json(result.gradeDetails)
  } catch (error) {
    return Either.left(`grade_details: not serialisable as JSON: ${String(error)}`)
  }
  const error = result.error
  return Either.right({
    ...plainColumns(result),
    is_correct: result.isCorrect ? 1 : 0,
    reasoning_trace: trace,
    grade_details: details,
    sample_grades: result.sampleGrades === null
      ? null
      : JSON.stringify(result.sampleGrades.map((s) => ({ outcome: s.outcome, rawOutput: s.rawOutput }))),
    error_json: error === null
      ? null
      : JSON.stringify({
        category: error.category,
        description: error.description,
        technicalDetails: error.technicalDetails,
        recoverable: error.recoverable
      }),
    calls: JSON.stringify(result.calls.map((call) => ({
      model: call.model,
      provider: call.provider,
      generationId: call.generationId,
      finishReason: call.finishReason,
      promptTokens: call.promptTokens,
      completionTokens: call.completionTokens,
      reasoningTokens: call.reasoningTokens,
      costUsd: call.costUsd,
      attempts: call.attempts,
      error: call.error
    }))),
    processed_at: result.processedAt.toISOString()
  })
}

/** The aggregate row `summarize` reads. */
export const TotalsRow = Schema.Struct({
  processed: Schema.Int,
  correct: Schema.Int,
  errors: Schema.Int,
  errors_by_category: Schema.parseJson(Schema.Record({ key: Schema.String, value: Schema.Int })),
  total_time_ms: Schema.Number,
  prompt_tokens: Schema.Int,
  completion_tokens: Schema.Int,
  reasoning_tokens: Schema.Int,
  total_tokens: Schema.Int,
  cost_usd: Schema.Number,
  cost_reported: Schema.Int,
  llm_calls: Schema.Int,
  retries: Schema.Int,
  cached_calls: Schema.Int,
  no_answer: Schema.Int
})
