/**
 * @ml-agents/sandbox: runs model-written Python against assert tests in bubblewrap, with rlimits
 * and a wall clock, and reports one reason and each test's outcome. Depends on `effect` and Node.
 */
export * as Execution from "./Execution.js"
export * as Limits from "./Limits.js"
export * as Sandbox from "./Sandbox.js"
