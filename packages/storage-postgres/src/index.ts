/**
 * @ml-agents/storage-postgres: core's repositories on a PostgreSQL database, through
 * `@effect/sql-pg`. Start with `PgStorage.layer({ url })` or `PgStorage.layerConfig`.
 */
export * as Database from "./Database.js"
export * as Migrations from "./Migrations.js"
export * as PgDialect from "./PgDialect.js"
export * as PgBenchmarkRepository from "./PgBenchmarkRepository.js"
export * as PgEvaluationRepository from "./PgEvaluationRepository.js"
export * as PgExperimentRepository from "./PgExperimentRepository.js"
export * as PgResponseCache from "./PgResponseCache.js"
export * as PgResultRepository from "./PgResultRepository.js"
export * as PgStorage from "./PgStorage.js"
export * as PgWorkQueue from "./PgWorkQueue.js"
