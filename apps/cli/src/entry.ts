/**
 * The `ml-agents` program: parses the command line and runs it. Bundled whole into
 * `dist/cli.cjs`, which the executable (`bin.ts`) loads through a V8 code cache.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Exit } from "effect"
import { program } from "./Main.js"

NodeRuntime.runMain(program(process.argv.slice(2)), {
  disableErrorReporting: true,
  disablePrettyLogger: true,
  teardown: (exit, onExit) => onExit(Exit.isSuccess(exit) ? Number(exit.value) : Exit.isInterrupted(exit) ? 130 : 1)
})
