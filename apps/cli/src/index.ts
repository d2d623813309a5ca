/**
 * @ml-agents/cli as a library: the program behind the `ml-agents` executable, for tests and
 * embedding.
 */
export * as AppConfig from "./AppConfig.js"
export * as BenchmarkFiles from "./BenchmarkFiles.js"
export * as DotEnv from "./DotEnv.js"
export * as Errors from "./Errors.js"
export { program, splitGlobalFlags, VERSION } from "./Main.js"
