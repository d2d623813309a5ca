/**
 * The grader plugin contract. A grader is a value: the answer kind it grades (`kind`), a version
 * stored with every grade it gives, and a `grade` effect that reads one model reply against one
 * question's expected answer. Built-in kinds (multiple choice, numbers, labels, math, text) and
 * third-party packages (e.g. a code-execution kind) satisfy the same contract; the
 * `GraderRegistry` knows them by kind.
 */
import { type Effect, Schema } from "effect"

/** What grading found: the right answer, a wrong one, or none at all. */
export const Outcome = Schema.Literal("correct", "incorrect", "no_answer")
/** A grading outcome. */
export type Outcome = typeof Outcome.Type

/** The result of grading one reply, with what was extracted and which grader decided. */
export const Grade = Schema.Struct({
  outcome: Outcome,
  /** The answer found in the reply (a letter, a number as written, a label, …); null when none. */
  extracted: Schema.NullOr(Schema.String),
  /** The grader that decided: an answer kind ("multiple_choice", "code", …). */
  grader: Schema.String,
  /** That grader's version, so that re-grading can tell old grades apart. */
  version: Schema.String,
  /** Why, in one sentence, when the outcome needs explaining ("hedges between B and C"). */
  reason: Schema.optional(Schema.String),
  /** Any JSON value stored with the result (e.g. a code grader's per-test outcomes). */
  details: Schema.optional(Schema.Unknown)
})
/** A grade. */
export type Grade = typeof Grade.Type

/** One question as a grader sees it. */
export interface GradedQuestion {
  readonly id: string
  /** The question's text (its options, for multiple choice). */
  readonly text: string
  readonly expectedAnswer: string
  /** The benchmark's extra columns for this question (e.g. a code kind's tests). */
  readonly metadata: Readonly<Record<string, unknown>>
}

/** What a grader is given for one reply. */
export interface GradeInput {
  readonly question: GradedQuestion
  /** The model's final raw reply; null when the agent kept none. */
  readonly rawOutput: string | null
  /** The answer the agent extracted from the reply; null when it found none. */
  readonly answer: string | null
}

/** What import-time detection sees of a benchmark. */
export interface BenchmarkSample {
  /** The CSV's column names, as written. */
  readonly columns: ReadonlyArray<string>
  readonly expectedAnswers: ReadonlyArray<string>
}

/** A benchmark a grader refuses at import (e.g. a reference solution that fails its own tests). */
export class BenchmarkRejected extends Schema.TaggedError<BenchmarkRejected>()("BenchmarkRejected", {
  kind: Schema.String,
  /** What is wrong, naming the question(s). */
  problem: Schema.String,
  /** What to do about it. */
  hint: Schema.String
}) {
  override get message() {
    return `the '${this.kind}' grader rejects this benchmark: ${this.problem}`
  }
}

/** The contract every grader satisfies. */
export interface Grader {
  /** The answer kind it grades, as users type it (`--answer-kind <kind>`): lowercase letters, digits, `_` and `-`. */
  readonly kind: string
  /** Its version, stored with every grade; bump it whenever the same reply could be graded differently. */
  readonly version: string
  /** One line saying what it accepts. */
  readonly description: string
  /**
   * Whether a benchmark being imported is of this kind. Plugins' detectors are asked first, in
   * the order they were loaded; the built-in detection decides when none says yes.
   */
  readonly detect?: ((benchmark: BenchmarkSample) => boolean) | undefined
  /** Checks a benchmark at import, before anything is stored. */
  readonly checkBenchmark?: ((questions: ReadonlyArray<GradedQuestion>) => Effect.Effect<void, BenchmarkRejected>) | undefined
  /** Grades one reply. May do work (a sandbox run) but must not fail: a broken reply is `incorrect` or `no_answer`. */
  readonly grade: (input: GradeInput) => Effect.Effect<Grade>
}

/** Identity helper that checks a grader against the contract. */
export const make = (grader: Grader): Grader => grader

/** Answer kinds users can type. */
export const KIND_PATTERN = /^[a-z][a-z0-9_-]{0,39}$/
