/**
 * @ml-agents/storage-postgres/testing: throw-away databases on the test server, for this
 * package's tests and for anything else tested against PostgreSQL (the CLI's end-to-end suite).
 */
export * as TestDatabase from "./TestDatabase.js"
