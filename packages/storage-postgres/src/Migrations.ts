/**
 * The PostgreSQL schema, as append-only migrations that run every time the storage starts. The
 * tables mirror the SQLite adapter's column for column (same names, same meaning), so that
 * `ml-agents db copy` moves rows between the two unchanged and SQL written for one reads the
 * other. JSON columns are `json` (not `jsonb`), which keeps the stored text exactly as written;
 * timestamps are `timestamptz`.
 *
 * Several processes may start at once (workers on many machines): the migrator runs inside one
 * transaction that first takes a transaction-scoped advisory lock, so the second process waits,
 * then finds every migration done.
 */
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"

/** The table where the migrator records the migrations that ran (the `@effect/sql` default). */
export const TABLE = "effect_sql_migrations"

/** The advisory lock key the migrator holds: an arbitrary constant, "mlagents" in ASCII. */
export const LOCK_KEY = 0x6d6c6167656e7473n

const init = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE benchmarks (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      description TEXT NOT NULL,
      question_count INTEGER NOT NULL,
      format_version TEXT NOT NULL,
      metadata JSON NOT NULL DEFAULT '{}',
      created_at TIMESTAMPTZ NOT NULL
    )`
  yield* sql`CREATE INDEX benchmarks_created_at ON benchmarks (created_at)`
  yield* sql`
    CREATE TABLE questions (
      benchmark_id TEXT NOT NULL REFERENCES benchmarks (id) ON DELETE CASCADE,
      ordinal INTEGER NOT NULL,
      id TEXT NOT NULL,
      text TEXT NOT NULL,
      expected_answer TEXT NOT NULL,
      metadata JSON NOT NULL DEFAULT '{}',
      PRIMARY KEY (benchmark_id, id),
      UNIQUE (benchmark_id, ordinal)
    )`
  yield* sql`
    CREATE TABLE evaluations (
      id TEXT PRIMARY KEY,
      agent_type TEXT NOT NULL,
      model_provider TEXT NOT NULL,
      model_name TEXT NOT NULL,
      model_parameters JSON NOT NULL DEFAULT '{}',
      agent_parameters JSON NOT NULL DEFAULT '{}',
      benchmark_id TEXT NOT NULL REFERENCES benchmarks (id),
      benchmark_name TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed', 'interrupted')),
      created_at TIMESTAMPTZ NOT NULL,
      started_at TIMESTAMPTZ,
      completed_at TIMESTAMPTZ,
      failure_reason JSON,
      lease_owner TEXT,
      lease_expires_at TIMESTAMPTZ,
      answer_kind TEXT
    )`
  yield* sql`CREATE INDEX evaluations_created_at ON evaluations (created_at)`
  yield* sql`CREATE INDEX evaluations_status ON evaluations (status)`
  yield* sql`CREATE INDEX evaluations_benchmark_name ON evaluations (benchmark_name)`
  yield* sql`CREATE INDEX evaluations_benchmark_id ON evaluations (benchmark_id)`
  // `ordinal` is copied from `questions` when a result is saved (results list in benchmark order
  // without a join); `error_category` duplicates `error_json`'s category for grouping.
  yield* sql`
    CREATE TABLE evaluation_question_results (
      evaluation_id TEXT NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
      question_id TEXT NOT NULL,
      ordinal INTEGER NOT NULL,
      question_text TEXT NOT NULL,
      expected_answer TEXT NOT NULL,
      extracted_answer TEXT,
      raw_output TEXT,
      is_correct SMALLINT NOT NULL CHECK (is_correct IN (0, 1)),
      execution_time_ms DOUBLE PRECISION NOT NULL,
      reasoning_trace JSON,
      error_category TEXT,
      error_json JSON,
      prompt_tokens INTEGER NOT NULL DEFAULT 0,
      completion_tokens INTEGER NOT NULL DEFAULT 0,
      reasoning_tokens INTEGER NOT NULL DEFAULT 0,
      total_tokens INTEGER NOT NULL DEFAULT 0,
      cost_usd DOUBLE PRECISION,
      llm_calls INTEGER NOT NULL DEFAULT 0,
      processed_at TIMESTAMPTZ NOT NULL,
      retries INTEGER NOT NULL DEFAULT 0,
      cached_calls INTEGER NOT NULL DEFAULT 0,
      outcome TEXT,
      grader TEXT,
      grader_version TEXT,
      calls JSON NOT NULL DEFAULT '[]',
      PRIMARY KEY (evaluation_id, question_id),
      CHECK ((error_json IS NULL) = (error_category IS NULL))
    )`
  yield* sql`
    CREATE INDEX evaluation_question_results_order ON evaluation_question_results (evaluation_id, ordinal)`
  yield* sql`
    CREATE TABLE response_cache (
      key TEXT PRIMARY KEY,
      model TEXT NOT NULL,
      request_json JSON NOT NULL,
      response_json JSON NOT NULL,
      created_at TIMESTAMPTZ NOT NULL
    )`
  yield* sql`CREATE INDEX response_cache_model ON response_cache (model)`
})

// The views the README documents for SQL users, as on SQLite: computed from the result rows.
const views = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE VIEW evaluation_summary AS
    SELECT e.id AS evaluation_id, e.status, e.agent_type, e.model_name, e.benchmark_name,
      b.question_count AS questions,
      COUNT(r.question_id)::integer AS processed,
      (COUNT(*) FILTER (WHERE r.error_json IS NULL AND r.is_correct = 1))::integer AS correct,
      (COUNT(*) FILTER (WHERE r.error_json IS NULL AND r.is_correct = 0 AND COALESCE(r.outcome, '') <> 'no_answer'))::integer AS incorrect,
      (COUNT(*) FILTER (WHERE r.error_json IS NULL AND r.outcome = 'no_answer'))::integer AS no_answer,
      (COUNT(*) FILTER (WHERE r.error_json IS NOT NULL))::integer AS errors,
      CASE WHEN COUNT(r.question_id) = 0 THEN NULL
        ELSE (COUNT(*) FILTER (WHERE r.error_json IS NULL AND r.is_correct = 1))::double precision / COUNT(r.question_id) END AS accuracy,
      COALESCE(SUM(r.total_tokens), 0)::bigint AS total_tokens,
      COALESCE(SUM(r.reasoning_tokens), 0)::bigint AS reasoning_tokens,
      COALESCE(SUM(r.cost_usd), 0) AS cost_usd,
      COALESCE(SUM(r.llm_calls), 0)::bigint AS llm_calls,
      AVG(r.execution_time_ms) AS avg_time_ms,
      e.created_at, e.completed_at
    FROM evaluations e
    JOIN benchmarks b ON b.id = e.benchmark_id
    LEFT JOIN evaluation_question_results r ON r.evaluation_id = e.id
    GROUP BY e.id, b.question_count`
  yield* sql`
    CREATE VIEW evaluation_errors AS
    SELECT evaluation_id, error_category AS category, COUNT(*)::integer AS questions
    FROM evaluation_question_results
    WHERE error_category IS NOT NULL
    GROUP BY evaluation_id, error_category`
  yield* sql`
    CREATE VIEW model_calls AS
    SELECT r.evaluation_id, r.question_id, c.n::integer AS call_number,
      c.value ->> 'model' AS model,
      c.value ->> 'provider' AS provider,
      c.value ->> 'generationId' AS generation_id,
      c.value ->> 'finishReason' AS finish_reason,
      (c.value ->> 'promptTokens')::integer AS prompt_tokens,
      (c.value ->> 'completionTokens')::integer AS completion_tokens,
      (c.value ->> 'reasoningTokens')::integer AS reasoning_tokens,
      (c.value ->> 'costUsd')::double precision AS cost_usd,
      (c.value ->> 'attempts')::integer AS attempts,
      ((c.value ->> 'attempts')::integer = 0)::integer AS cached,
      c.value ->> 'error' AS error_category
    FROM evaluation_question_results r
    CROSS JOIN LATERAL json_array_elements(r.calls) WITH ORDINALITY AS c(value, n)`
})

// Experiments, as on SQLite: a grid whose cells are ordinary evaluations (one row each in
// experiment_cells, with its coordinates), and its subsample, stored once per benchmark.
const experiments = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE experiments (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      grid JSON NOT NULL,
      baseline TEXT NOT NULL,
      budget_usd DOUBLE PRECISION,
      created_at TIMESTAMPTZ NOT NULL
    )`
  yield* sql`CREATE INDEX experiments_created_at ON experiments (created_at)`
  yield* sql`
    CREATE TABLE experiment_cells (
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
    CREATE TABLE experiment_samples (
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
// lease, taken off when its result is stored.
const workQueue = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE work_items (
      evaluation_id TEXT NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
      question_id TEXT NOT NULL,
      ordinal INTEGER NOT NULL,
      enqueued_at TIMESTAMPTZ NOT NULL,
      claimed_by TEXT,
      lease_expires_at TIMESTAMPTZ,
      attempts INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (evaluation_id, question_id)
    )`
  yield* sql`CREATE INDEX work_items_order ON work_items (evaluation_id, ordinal)`
  yield* sql`CREATE INDEX work_items_claimed_by ON work_items (claimed_by)`
})

// What a grader reported beyond its outcome (e.g. a code grader's per-test results), as JSON.
const gradeDetails = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE evaluation_question_results ADD COLUMN grade_details JSON`
})

// The grades of the samples an agent drew independently for a question (for pass@k), as JSON;
// NULL for the rows before it and for agents that draw one answer.
const sampleGrades = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE evaluation_question_results ADD COLUMN sample_grades JSON`
})

const migrations = {
  "0001_init": init,
  "0002_views": views,
  "0003_experiments": experiments,
  "0004_work_queue": workQueue,
  "0005_grade_details": gradeDetails,
  "0006_sample_grades": sampleGrades
}

/** The migrations, by id and name. Append only: a released migration is never edited. */
export const loader: Migrator.Loader = Migrator.fromRecord(migrations)

/** The id of the newest migration this version knows: the schema version it expects. */
export const LATEST: number = Math.max(...Object.keys(migrations).map((name) => Number.parseInt(name, 10)))

/**
 * Runs the migrations that have not run yet, holding the advisory lock for the whole
 * transaction; returns those it ran. The migrations table is created here first: the generic
 * migrator probes for it with a statement that fails when it is missing, which would abort the
 * surrounding transaction.
 */
export const run: Effect.Effect<
  ReadonlyArray<readonly [id: number, name: string]>,
  Migrator.MigrationError | SqlError,
  SqlClient.SqlClient
> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  return yield* sql.withTransaction(Effect.gen(function*() {
    yield* sql`SELECT pg_advisory_xact_lock(${LOCK_KEY.toString()}::bigint)`
    yield* sql`CREATE TABLE IF NOT EXISTS ${sql(TABLE)} (
      migration_id integer primary key,
      created_at timestamp with time zone not null default now(),
      name text not null
    )`
    return yield* Migrator.make({})({ loader, table: TABLE })
  }))
})

/** The schema version of the database: the newest migration recorded, 0 for an empty database. */
export const version: Effect.Effect<number, SqlError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [table] = yield* sql<{ readonly present: boolean }>`SELECT to_regclass(${TABLE}) IS NOT NULL AS present`
  if (table?.present !== true) return 0
  const [row] = yield* sql<{ readonly v: number }>`SELECT COALESCE(MAX(migration_id), 0) AS v FROM ${sql(TABLE)}`
  return row?.v ?? 0
})
