/**
 * @ml-agents/storage-sqlite: core's repositories on a SQLite file, through `@effect/sql`.
 * Start with `SqliteStorage.layer({ url })` or `SqliteStorage.layerConfig()`.
 */
export * as Database from "./Database.js"
export * as Migrations from "./Migrations.js"
export * as SqliteDialect from "./SqliteDialect.js"
export * as SqliteBenchmarkRepository from "./SqliteBenchmarkRepository.js"
export * as SqliteEvaluationRepository from "./SqliteEvaluationRepository.js"
export * as SqliteExperimentRepository from "./SqliteExperimentRepository.js"
export * as SqliteResponseCache from "./SqliteResponseCache.js"
export * as SqliteResultRepository from "./SqliteResultRepository.js"
export * as SqliteStorage from "./SqliteStorage.js"
export * as SqliteWorkQueue from "./SqliteWorkQueue.js"
