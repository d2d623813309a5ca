/**
 * Benchmarks: named sets of questions with expected answers, imported once from CSV and then
 * referred to by their short name (e.g. `GPQA`).
 */
import { Schema } from "effect"

/** One question of a benchmark; `metadata` holds the CSV's extra columns. */
export class Question extends Schema.Class<Question>("Question")({
  id: Schema.String,
  text: Schema.String,
  expectedAnswer: Schema.String,
  metadata: Schema.Record({ key: Schema.String, value: Schema.String })
}) {}

/** The version of the stored question format; bumped when import semantics change. */
export const FORMAT_VERSION = "1"

/**
 * A benchmark as stored (the original design's PreprocessedBenchmark). Its questions live in
 * their own table and are read through `BenchmarkRepository.questions`, so that listing
 * benchmarks never loads every question.
 */
export class PreprocessedBenchmark extends Schema.Class<PreprocessedBenchmark>("PreprocessedBenchmark")({
  id: Schema.String,
  name: Schema.String,
  description: Schema.String,
  questionCount: Schema.Int,
  formatVersion: Schema.String,
  metadata: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  createdAt: Schema.Date
}) {}

/** Benchmark names users type: letters, digits, `_`, `-` and `.`, starting with a letter or digit. */
export const BenchmarkName = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/),
  Schema.annotations({
    message: () => "a benchmark name is 1-64 letters, digits, '_', '-' or '.', starting with a letter or digit"
  })
)
