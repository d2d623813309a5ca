/**
 * @ml-agents/cli as a library: the program behind the `ml-agents` executable, for tests and
 * embedding.
 */
export * as AppConfig from "./AppConfig.js"
export * as BenchmarkFiles from "./BenchmarkFiles.js"
export * as CommandTree from "./CommandTree.js"
export * as ConfigSource from "./ConfigSource.js"
export * as DotEnv from "./DotEnv.js"
export * as Errors from "./Errors.js"
export * as Output from "./Output.js"
export * as UsageError from "./UsageError.js"
export { program, splitGlobalFlags, VERSION } from "./Main.js"
