/**
 * The database schema, as migrations that run every time the database is opened. Migrations are
 * listed in a record (not loaded from a directory) so that they survive bundling; the migrator
 * remembers which ran in `effect_sql_migrations`, and each statement is idempotent anyway.
 */
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"

const init = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  // Timestamps are ISO-8601 text (`2025-01-31T12:00:00.000Z`): they sort as text and read well in
  // the sqlite3 shell. JSON columns hold the encoded core Schemas.
  yield* sql`
    CREATE TABLE IF NOT EXISTS benchmarks (
      id TEXT PRIMARY KEY NOT NULL,
      name TEXT NOT NULL UNIQUE,
      description TEXT NOT NULL,
      question_count INTEGER NOT NULL,
      format_version TEXT NOT NULL,
      metadata TEXT NOT NULL DEFAULT '{}',
      created_at TEXT NOT NULL
    )`
  yield* sql`CREATE INDEX IF NOT EXISTS benchmarks_created_at ON benchmarks (created_at)`
  yield* sql`
    CREATE TABLE IF NOT EXISTS questions (
      benchmark_id TEXT NOT NULL REFERENCES benchmarks (id) ON DELETE CASCADE,
      ordinal INTEGER NOT NULL,
      id TEXT NOT NULL,
      text TEXT NOT NULL,
      expected_answer TEXT NOT NULL,
      metadata TEXT NOT NULL DEFAULT '{}',
      PRIMARY KEY (benchmark_id, id),
      UNIQUE (benchmark_id, ordinal)
    )`
  yield* sql`
    CREATE TABLE IF NOT EXISTS evaluations (
      id TEXT PRIMARY KEY NOT NULL,
      agent_type TEXT NOT NULL,
      model_provider TEXT NOT NULL,
      model_name TEXT NOT NULL,
      model_parameters TEXT NOT NULL DEFAULT '{}',
      agent_parameters TEXT NOT NULL DEFAULT '{}',
      benchmark_id TEXT NOT NULL REFERENCES benchmarks (id),
      benchmark_name TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed', 'interrupted')),
      created_at TEXT NOT NULL,
      started_at TEXT,
      completed_at TEXT,
      failure_reason TEXT
    )`
  yield* sql`CREATE INDEX IF NOT EXISTS evaluations_created_at ON evaluations (created_at)`
  yield* sql`CREATE INDEX IF NOT EXISTS evaluations_status ON evaluations (status)`
  yield* sql`CREATE INDEX IF NOT EXISTS evaluations_benchmark_name ON evaluations (benchmark_name)`
  yield* sql`CREATE INDEX IF NOT EXISTS evaluations_benchmark_id ON evaluations (benchmark_id)`
  // `ordinal` is copied from `questions` when a result is saved, so results list in benchmark
  // order without a join. `error_category` duplicates `error_json`'s category so that summaries
  // can group on it.
  yield* sql`
    CREATE TABLE IF NOT EXISTS evaluation_question_results (
      evaluation_id TEXT NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
      question_id TEXT NOT NULL,
      ordinal INTEGER NOT NULL,
      question_text TEXT NOT NULL,
      expected_answer TEXT NOT NULL,
      extracted_answer TEXT,
      raw_output TEXT,
      is_correct INTEGER NOT NULL CHECK (is_correct IN (0, 1)),
      execution_time_ms REAL NOT NULL,
      reasoning_trace TEXT,
      error_category TEXT,
      error_json TEXT,
      prompt_tokens INTEGER NOT NULL DEFAULT 0,
      completion_tokens INTEGER NOT NULL DEFAULT 0,
      reasoning_tokens INTEGER NOT NULL DEFAULT 0,
      total_tokens INTEGER NOT NULL DEFAULT 0,
      cost_usd REAL,
      llm_calls INTEGER NOT NULL DEFAULT 0,
      processed_at TEXT NOT NULL,
      PRIMARY KEY (evaluation_id, question_id),
      CHECK ((error_json IS NULL) = (error_category IS NULL))
    )`
  yield* sql`
    CREATE INDEX IF NOT EXISTS evaluation_question_results_order
    ON evaluation_question_results (evaluation_id, ordinal)`
})

// The run lease: which process may run an evaluation, until when (renewed by its heartbeat).
const lease = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE evaluations ADD COLUMN lease_owner TEXT`
  yield* sql`ALTER TABLE evaluations ADD COLUMN lease_expires_at TEXT`
})

// Cached model responses (see core's ResponseCache), by the hash of everything that determined
// them. `model` is the requested model, so that one model's entries can be listed or dropped.
const responseCache = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE IF NOT EXISTS response_cache (
      key TEXT PRIMARY KEY NOT NULL,
      model TEXT NOT NULL,
      request_json TEXT NOT NULL,
      response_json TEXT NOT NULL,
      created_at TEXT NOT NULL
    )`
  yield* sql`CREATE INDEX IF NOT EXISTS response_cache_model ON response_cache (model)`
})

// Retries and cache hits of each question, so that a run's faults are visible in its results.
const retriesAndCache = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE evaluation_question_results ADD COLUMN retries INTEGER NOT NULL DEFAULT 0`
  yield* sql`ALTER TABLE evaluation_question_results ADD COLUMN cached_calls INTEGER NOT NULL DEFAULT 0`
})

// The grading of each result: outcome (correct, incorrect, no_answer), grader and its version.
const grading = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE evaluation_question_results ADD COLUMN outcome TEXT`
  yield* sql`ALTER TABLE evaluation_question_results ADD COLUMN grader TEXT`
  yield* sql`ALTER TABLE evaluation_question_results ADD COLUMN grader_version TEXT`
})

// Views for querying the database directly (sqlite3, datasette): one row per evaluation with its
// figures, and failures per evaluation and category. Computed from the result rows, never stored.
const views = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE VIEW IF NOT EXISTS evaluation_summary AS
    SELECT e.id AS evaluation_id, e.status, e.agent_type, e.model_name, e.benchmark_name,
      b.question_count AS questions,
      COUNT(r.question_id) AS processed,
      COALESCE(SUM(r.error_json IS NULL AND r.is_correct = 1), 0) AS correct,
      COALESCE(SUM(r.error_json IS NULL AND r.is_correct = 0 AND COALESCE(r.outcome, '') <> 'no_answer'), 0) AS incorrect,
      COALESCE(SUM(r.error_json IS NULL AND r.outcome = 'no_answer'), 0) AS no_answer,
      COALESCE(SUM(r.error_json IS NOT NULL), 0) AS errors,
      CASE WHEN COUNT(r.question_id) = 0 THEN NULL
        ELSE 1.0 * SUM(r.error_json IS NULL AND r.is_correct = 1) / COUNT(r.question_id) END AS accuracy,
      COALESCE(SUM(r.total_tokens), 0) AS total_tokens,
      COALESCE(SUM(r.reasoning_tokens), 0) AS reasoning_tokens,
      COALESCE(SUM(r.cost_usd), 0) AS cost_usd,
      COALESCE(SUM(r.llm_calls), 0) AS llm_calls,
      AVG(r.execution_time_ms) AS avg_time_ms,
      e.created_at, e.completed_at
    FROM evaluations e
    JOIN benchmarks b ON b.id = e.benchmark_id
    LEFT JOIN evaluation_question_results r ON r.evaluation_id = e.id
    GROUP BY e.id`
  yield* sql`
    CREATE VIEW IF NOT EXISTS evaluation_errors AS
    SELECT evaluation_id, error_category AS category, COUNT(*) AS questions
    FROM evaluation_question_results
    WHERE error_category IS NOT NULL
    GROUP BY evaluation_id, error_category`
})

// Every model call of a result (provider, generation id, tokens, cost, attempts) as a JSON array,
// a view with one row per call for querying it, and each evaluation's answer-kind override.
const callsAndAnswerKind = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE evaluation_question_results ADD COLUMN calls TEXT NOT NULL DEFAULT '[]'`
  yield* sql`ALTER TABLE evaluations ADD COLUMN answer_kind TEXT`
  yield* sql`
    CREATE VIEW IF NOT EXISTS model_calls AS
    SELECT r.evaluation_id, r.question_id, c.key + 1 AS call_number,
      json_extract(c.value, '$.model') AS model,
      json_extract(c.value, '$.provider') AS provider,
      json_extract(c.value, '$.generationId') AS generation_id,
      json_extract(c.value, '$.finishReason') AS finish_reason,
      json_extract(c.value, '$.promptTokens') AS prompt_tokens,
      json_extract(c.value, '$.completionTokens') AS completion_tokens,
      json_extract(c.value, '$.reasoningTokens') AS reasoning_tokens,
      json_extract(c.value, '$.costUsd') AS cost_usd,
      json_extract(c.value, '$.attempts') AS attempts,
      json_extract(c.value, '$.attempts') = 0 AS cached,
      json_extract(c.value, '$.error') AS error_category
    FROM evaluation_question_results r, json_each(r.calls) c`
})

// What a grader reported beyond its outcome (e.g. a code grader's per-test results), as JSON.
const gradeDetails = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE evaluation_question_results ADD COLUMN grade_details TEXT`
})

// Experiments: a grid whose cells are ordinary evaluations (one row each in experiment_cells, with
// its coordinates), and its subsample, stored once per benchmark so every cell asks the same
// questions. The grid itself is kept as JSON, as it was given.
const experiments = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE IF NOT EXISTS experiments (
      id TEXT PRIMARY KEY NOT NULL,
      name TEXT NOT NULL,
      grid TEXT NOT NULL,
      baseline TEXT NOT NULL,
      budget_usd REAL,
      created_at TEXT NOT NULL
    )`
  yield* sql`CREATE INDEX IF NOT EXISTS experiments_created_at ON experiments (created_at)`
  yield* sql`
    CREATE TABLE IF NOT EXISTS experiment_cells (
      experiment_id TEXT NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
      position INTEGER NOT NULL,
      evaluation_id TEXT NOT NULL UNIQUE REFERENCES evaluations (id) ON DELETE CASCADE,
      agent_label TEXT NOT NULL,
      model_name TEXT NOT NULL,
      benchmark_name TEXT NOT NULL,
      repeat INTEGER NOT NULL CHECK (repeat >= 1),
      PRIMARY KEY (experiment_id, position),
      UNIQUE (experiment_id, agent_label, model_name, benchmark_name, repeat)
    )`
  yield* sql`
    CREATE TABLE IF NOT EXISTS experiment_samples (
      experiment_id TEXT NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
      benchmark_id TEXT NOT NULL,
      benchmark_name TEXT NOT NULL,
      position INTEGER NOT NULL,
      question_id TEXT NOT NULL,
      PRIMARY KEY (experiment_id, benchmark_id, position),
      UNIQUE (experiment_id, benchmark_id, question_id),
      FOREIGN KEY (benchmark_id, question_id) REFERENCES questions (benchmark_id, id)
    )`
})

// The work queue (see core's WorkQueue): one row per queued question, claimed by a worker under a
// lease. Done means answered: a question leaves the queue when its result is stored.
const workQueue = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE IF NOT EXISTS work_items (
      evaluation_id TEXT NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
      question_id TEXT NOT NULL,
      ordinal INTEGER NOT NULL,
      enqueued_at TEXT NOT NULL,
      claimed_by TEXT,
      lease_expires_at TEXT,
      attempts INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (evaluation_id, question_id)
    )`
  yield* sql`CREATE INDEX IF NOT EXISTS work_items_order ON work_items (evaluation_id, ordinal)`
  yield* sql`CREATE INDEX IF NOT EXISTS work_items_claimed_by ON work_items (claimed_by)`
})

// The grades of the samples an agent drew independently for a question (for pass@k), as JSON;
// NULL for the rows before it and for agents that draw one answer.
const sampleGrades = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE evaluation_question_results ADD COLUMN sample_grades TEXT`
})

const migrations = {
  "0001_init": init,
  "0002_run_lease": lease,
  "0003_response_cache": responseCache,
  "0004_result_retries_and_cache": retriesAndCache,
  "0005_result_grading": grading,
  "0006_summary_views": views,
  "0007_model_calls_and_answer_kind": callsAndAnswerKind,
  "0008_grade_details": gradeDetails,
  "0009_experiments": experiments,
  "0010_work_queue": workQueue,
  "0011_sample_grades": sampleGrades
}

/** The migrations, by id and name (`0001_init`). */
export const loader: Migrator.Loader = Migrator.fromRecord(migrations)

/** The id of the newest migration: a database migrated this far needs no writes to be read. */
export const latest: number = Math.max(...Object.keys(migrations).map((name) => Number.parseInt(name, 10)))

/** Where @effect/sql's migrator records the migrations that ran. */
export const TABLE = "effect_sql_migrations"

/**
 * Runs the migrations that have not run yet, in one transaction; returns those it ran. Uses
 * `@effect/sql`'s generic migrator, which is what `SqliteMigrator` wraps minus the schema dump
 * (that one needs the `sqlite3` binary, a FileSystem and a CommandExecutor).
 */
export const run: Effect.Effect<
  ReadonlyArray<readonly [id: number, name: string]>,
  Migrator.MigrationError | SqlError,
  SqlClient.SqlClient
> = Migrator.make({})({ loader })
