/**
 * @ml-agents/storage-sql: core's repositories written once on `@effect/sql`'s `SqlClient`, for
 * the SQLite and PostgreSQL adapters, which supply a `Dialect` for what differs between them.
 */
export * as Dialect from "./Dialect.js"
export * as Rows from "./Rows.js"
export * as SqlBenchmarkRepository from "./SqlBenchmarkRepository.js"
export * as SqlEcho from "./SqlEcho.js"
export * as SqlEvaluationRepository from "./SqlEvaluationRepository.js"
export * as SqlExperimentRepository from "./SqlExperimentRepository.js"
export * as SqlResultRepository from "./SqlResultRepository.js"
export * as SqlResponseCache from "./SqlResponseCache.js"
export * as SqlStorage from "./SqlStorage.js"
export * as SqlWorkQueue from "./SqlWorkQueue.js"
export * as StorageErrors from "./StorageErrors.js"
