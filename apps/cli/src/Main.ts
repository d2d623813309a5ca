/**
 * The `ml-agents` program: global flags, configuration, the command tree, the layers each
 * command needs, and the mapping of every outcome to an exit code.
 */
import { Command, ValidationError } from "@effect/cli"
import { AgentRegistry, EvaluationOrchestrator, Experiments, GraderRegistry, Grading, LlmClient, NoneAgent } from "@ml-agents/core"
import * as ChainOfThought from "@ml-agents/agent-cot"
import * as TreeOfThought from "@ml-agents/agent-tot"
import { OpenRouterClient } from "@ml-agents/openrouter"
import { CodeGrader } from "@ml-agents/grader-code"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Cause, Effect, Either, Layer, Option } from "effect"
import * as os from "node:os"
import * as path from "node:path"
import * as AppConfig from "./AppConfig.js"
import { AppContext } from "./AppContext.js"
import * as BenchmarkFiles from "./BenchmarkFiles.js"
import * as CodeSandbox from "./CodeSandbox.js"
import * as BenchmarkCommands from "./commands/BenchmarkCommands.js"
import * as EvaluateCommands from "./commands/EvaluateCommands.js"
import * as ExperimentCommands from "./commands/ExperimentCommands.js"
import * as AgentsCommand from "./commands/AgentsCommand.js"
import * as DbCommand from "./commands/DbCommand.js"
import * as HealthCommand from "./commands/HealthCommand.js"
import * as ReportCommand from "./commands/ReportCommand.js"
import * as Errors from "./Errors.js"
import * as CommandLine from "./CommandLine.js"
import * as DataLocation from "./DataLocation.js"
import * as CommandTree from "./CommandTree.js"
import * as Completions from "./Completions.js"
import * as GlobalOptions from "./GlobalOptions.js"
import * as Help from "./Help.js"
import * as Logging from "./Logging.js"
import * as Output from "./Output.js"
import * as Plugins from "./Plugins.js"
import * as GradersCommand from "./commands/GradersCommand.js"
import * as WorkerCommand from "./commands/WorkerCommand.js"
import * as Storage from "./Storage.js"
import * as Ui from "./Ui.js"
import { UsageError } from "./UsageError.js"
import { VERSION } from "./Version.js"
import * as Wizard from "./Wizard.js"

/** The CLI's version. */
export { VERSION }

/** Separates the global flags (accepted anywhere) from the command's own arguments. */
export const splitGlobalFlags = GlobalOptions.split

const root = Command.make("ml-agents").pipe(
  Command.withDescription(
    "Measure whether reasoning helps LLMs: run reasoning agents with any OpenRouter model over benchmarks"
  ),
  Command.withSubcommands([
    AgentsCommand.command,
    BenchmarkCommands.command,
    DbCommand.command,
    EvaluateCommands.command,
    ExperimentCommands.command,
    GradersCommand.command,
    HealthCommand.command,
    ReportCommand.command,
    WorkerCommand.command
  ])
)

const missingKeyClient: LlmClient.LlmClient.Service = (() => {
  const error = new LlmClient.LlmError({
    category: "authentication_error",
    message: "OPENROUTER_API_KEY is not set",
    recoverable: false
  })
  return { chat: () => Effect.fail(error), listModels: Effect.fail(error), keyInfo: Effect.fail(error) }
})()

const cacheDir = () =>
  // An empty XDG_CACHE_HOME counts as unset, as the XDG spec says.
  path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "ml-agents")

/** The agents that ship with the CLI. */
export const builtInAgents = [NoneAgent.agent, ChainOfThought.agent, TreeOfThought.agent]

/** The layers a command needs, built only when a command's handler runs. */
const appLayer = (config: AppConfig.AppConfig) => {
  // The default database's directory is made, a DATABASE_URL under a missing one refused (DataLocation).
  const storage = Layer.unwrapEffect(
    DataLocation.prepare(config).pipe(Effect.as(Storage.layer(config)))
  )
  // The adapter's options as its own Config read them (AppConfig.ts), once, at start.
  const llm = Option.match(config.openrouter, {
    onNone: () => Layer.succeed(LlmClient.LlmClient, missingKeyClient),
    onSome: (options) =>
      OpenRouterClient.layer(options).pipe(
        Layer.provide(KeyValueStore.layerFileSystem(cacheDir()).pipe(Layer.orElse(() => KeyValueStore.layerMemory)))
      )
  })
  // The `code` answer kind ships with the CLI; its sandbox is checked only when code is run.
  const agents = Layer.unwrapEffect(
    CodeSandbox.make(config.codeExecConcurrency).pipe(
      Effect.flatMap((code) =>
        Plugins.load(builtInAgents, config.plugins, process.cwd(), [...Grading.builtIn, CodeGrader.make(code.sandbox)]).pipe(
          Effect.map((loaded) => ({ loaded, code }))
        )
      ),
      Effect.map(({ code, loaded }) =>
        Layer.mergeAll(
          AgentRegistry.layer(loaded.agents.map((l) => l.agent)),
          Layer.succeed(AgentsCommand.LoadedAgents, loaded.agents),
          Layer.succeed(CodeSandbox.CodeSandbox, code),
          GraderRegistry.layer(loaded.graders.filter((l) => l.source !== "built-in" || l.grader.kind === CodeGrader.KIND).map((l) => l.grader)),
          Layer.succeed(GradersCommand.LoadedGraders, loaded.graders)
        )
      )
    )
  )
  return Experiments.Experiments.Default.pipe(
    Layer.provideMerge(EvaluationOrchestrator.EvaluationOrchestrator.Default),
    Layer.provideMerge(Layer.mergeAll(storage, llm, agents))
  )
}

/** Whether @effect/cli is still parsing the line (its error printing is then ours to reshape). */
let parsing = true

const cli = Command.run(root.pipe(Command.provide(() =>
  Layer.unwrapEffect(AppContext.pipe(Effect.map(({ config }) => {
    parsing = false
    return appLayer(config)
  })))
)), {
  name: "ml-agents",
  version: VERSION
})

// `db …` works on the databases it is given, never on DATABASE_URL's: it runs without the
// application's layers (listed in the root for --help, dispatched here).
const dbCli = Command.run(Command.make("ml-agents").pipe(Command.withSubcommands([DbCommand.command])), {
  name: "ml-agents",
  version: VERSION
})

/** The command tree (for help, usage errors and completions), read once when first needed. */
let tree: CommandTree.Node | undefined
export const commandTree = (): CommandTree.Node => (tree ??= CommandTree.fromCommand(root))

const report = (error: unknown) =>
  Effect.gen(function*() {
    if (error instanceof Errors.ExitWith) return error.code
    // The reader of our output has gone (`| head`): stop as quietly as any other tool.
    if (error instanceof Output.OutputClosed && error.closed) return Output.CLOSED_EXIT_CODE
    const described = Errors.describe(error)
    yield* Ui.error(described.text, described.hint)
    return described.code
  })

/** The deepest command named by the words of a command line (for `--help` after a mistake). */
const commandOf = (args: ReadonlyArray<string>): CommandTree.Node => {
  let node = commandTree()
  for (const arg of args) {
    if (arg === "--") break
    const child = node.children.find((c) => c.name === arg)
    if (child !== undefined) node = child
  }
  return node
}

/**
 * A parse error that @effect/cli found and the checks of CommandLine.ts did not: its message as a
 * UsageError (its own printing to stderr is captured, see below).
 */
const fromValidationError = (error: ValidationError.ValidationError, args: ReadonlyArray<string>, printed: ReadonlyArray<string>) => {
  const text = CommandTree.docText((error as { error?: unknown }).error) || printed.join(" ").trim() || error._tag
  return new UsageError({ problem: text.replace(/\s+/g, " ").trim(), fix: `see: ${commandOf(args).path.join(" ")} --help` })
}

/** Runs the CLI on the arguments after `node ml-agents`, returning the exit code. */
export const program = (argv: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    Output.stdout()
    Output.guardStderr()
    if (argv[0] === Completions.COMMAND) {
      // The words being completed may hold anything, half typed: global flags are read leniently.
      const words = argv.slice(1)
      const flags = Either.getOrElse(Either.try(() => GlobalOptions.split(words.slice(0, -1)).flags), () => GlobalOptions.split([]).flags)
      yield* Completions.complete(commandTree(), words, flags)
      yield* Output.flush
      return Errors.ExitCode.ok as number
    }
    const split = yield* Effect.try({ try: () => GlobalOptions.split(argv), catch: (e) => e })
    const rest = split.rest
    let flags = split.flags
    // What needs no configuration: help, the version, completion scripts.
    if (flags.version) {
      yield* Output.line(VERSION)
      yield* Output.flush
      return Errors.ExitCode.ok as number
    }
    if (flags.completions !== undefined) {
      yield* Output.write(Completions.script(flags.completions as Completions.Shell))
      yield* Output.flush
      return Errors.ExitCode.ok as number
    }
    if (flags.wizard && !flags.help) yield* Wizard.check
    if (flags.help || (rest.length === 0 && !flags.wizard)) {
      yield* Output.line(Help.render(commandOf(rest), { version: VERSION }))
      yield* Output.flush
      return Errors.ExitCode.ok as number
    }
    const resolved = yield* Effect.try({ try: () => CommandLine.resolve(commandTree(), rest), catch: (e) => e })
    if (resolved.node.children.length > 0 && !flags.wizard) {
      // A group without its command (`ml-agents evaluate`): its help, listing the commands.
      yield* Output.line(Help.render(resolved.node, { version: VERSION }))
      yield* Output.flush
      return Errors.ExitCode.ok as number
    }
    if (!flags.wizard) yield* Effect.try({ try: () => CommandLine.checkComplete(resolved), catch: (e) => e })
    // The wizard asks the global options first (then @effect/cli's wizard the command's own).
    if (flags.wizard) flags = yield* Wizard.askGlobals(flags)
    const config = yield* AppConfig.load({ configPath: flags.configPath, environment: flags.env }, BenchmarkFiles.bundledDir())
    if (flags.verbose) {
      // Where the data and the configuration come from, before anything else is said.
      yield* Ui.note(`database: ${DataLocation.databaseText(config)}`)
      yield* Ui.note(`configuration: ${DataLocation.configurationText(config)}`)
    }
    const logLevel = flags.verbose ? "debug" : flags.quiet ? "error" : flags.logLevel as AppConfig.AppConfig["logLevel"] | undefined
    // @effect/cli prints its parse errors to stderr itself; they are shown in our form instead.
    // Only while it parses: once a command runs, its own Console.error output goes through.
    const printed: Array<string> = []
    const console = yield* Effect.console
    const capturing = Object.assign(Object.create(console), {
      error: (...args: ReadonlyArray<unknown>) =>
        parsing ? Effect.sync(() => void printed.push(args.map(String).join(" "))) : console.error(...args)
    }) as typeof console
    return yield* (rest[0] === "db" ? dbCli : cli)(["node", "ml-agents", ...rest, ...(flags.wizard ? ["--wizard"] : [])]).pipe(
      Effect.withConsole(capturing),
      Effect.catchIf(ValidationError.isValidationError, (e) => Effect.fail(fromValidationError(e, rest, printed))),
      // Exit only once all of the output has left the process (a pipe's reader may be slow).
      Effect.zipRight(Output.flush),
      Effect.as(Errors.ExitCode.ok as number),
      Effect.provide(Layer.succeed(AppContext, { config, flags })),
      Effect.provide(Logging.layer(config, logLevel))
    )
  }).pipe(
    Effect.catchAll(report),
    Effect.catchAllDefect((defect) =>
      Effect.gen(function*() {
        yield* Ui.error(`unexpected failure: ${Cause.pretty(Cause.die(defect))}`, "please report this with the command you ran")
        return Errors.ExitCode.general
      })
    ),
    Effect.provide(NodeContext.layer)
  )


