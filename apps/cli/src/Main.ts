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
import { Cause, Effect, Layer } from "effect"
import * as os from "node:os"
import * as path from "node:path"
import * as AppConfig from "./AppConfig.js"
import { AppContext, type GlobalFlags } from "./AppContext.js"
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
import * as Logging from "./Logging.js"
import * as Plugins from "./Plugins.js"
import * as GradersCommand from "./commands/GradersCommand.js"
import * as WorkerCommand from "./commands/WorkerCommand.js"
import * as Storage from "./Storage.js"
import * as Ui from "./Ui.js"
import { VERSION } from "./Version.js"

/** The CLI's version. */
export { VERSION }

/** Separates the global flags (accepted anywhere) from the command's own arguments. */
export const splitGlobalFlags = (argv: ReadonlyArray<string>): { flags: GlobalFlags; rest: Array<string> } => {
  const rest: Array<string> = []
  let verbose = false
  let quiet = false
  let configPath: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === "--") {
      rest.push(...argv.slice(i))
      break
    }
    if (arg === "--verbose") verbose = true
    else if (arg === "--quiet" || arg === "-q") quiet = true
    else if (arg === "--config") {
      configPath = argv[++i]
      if (configPath === undefined) throw new AppConfig.ConfigInvalid({ variable: "--config", problem: "expects a file path" })
    } else if (arg.startsWith("--config=")) configPath = arg.slice("--config=".length)
    else if (arg === "-v") rest.push("--version")
    else rest.push(arg)
  }
  return { flags: { verbose, quiet, configPath }, rest }
}

const root = Command.make("ml-agents").pipe(
  Command.withDescription(
    "Measure whether reasoning helps LLMs: run reasoning agents with any OpenRouter model over benchmarks. " +
      "Global flags: --config <path>, --verbose, --quiet, -v"
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
  const storage = Storage.layer(config)
  const llm = config.openrouter.apiKey === null
    ? Layer.succeed(LlmClient.LlmClient, missingKeyClient)
    : OpenRouterClient.layer({
      apiKey: config.openrouter.apiKey,
      baseURL: config.openrouter.baseUrl,
      timeoutMs: config.openrouter.timeoutSeconds * 1000,
      maxRetries: config.openrouter.maxRetries,
      appName: config.appName,
      appUrl: config.appUrl ?? undefined,
      dataCollection: config.openrouter.dataCollection ?? undefined
    }).pipe(Layer.provide(KeyValueStore.layerFileSystem(cacheDir()).pipe(Layer.orElse(() => KeyValueStore.layerMemory))))
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

const cli = Command.run(root.pipe(Command.provide(() => Layer.unwrapEffect(AppContext.pipe(Effect.map(({ config }) => appLayer(config)))))), {
  name: "ml-agents",
  version: VERSION
})

// `db …` works on the databases it is given, never on DATABASE_URL's: it runs without the
// application's layers (listed in the root for --help, dispatched here).
const dbCli = Command.run(Command.make("ml-agents").pipe(Command.withSubcommands([DbCommand.command])), {
  name: "ml-agents",
  version: VERSION
})

const report = (error: unknown) =>
  Effect.gen(function*() {
    if (error instanceof Errors.ExitWith) return error.code
    if (ValidationError.isValidationError(error)) return Errors.ExitCode.config
    const described = Errors.describe(error)
    yield* Ui.error(described.text, described.hint)
    return described.code
  })

/** Runs the CLI on the arguments after `node ml-agents`, returning the exit code. */
export const program = (argv: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const { flags, rest } = yield* Effect.try({ try: () => splitGlobalFlags(argv), catch: (e) => e })
    const config = yield* Effect.try({
      try: () => AppConfig.load(flags.configPath, BenchmarkFiles.bundledDir()),
      catch: (e) => e
    })
    const logLevel = flags.verbose ? "debug" : flags.quiet ? "error" : undefined
    return yield* (rest[0] === "db" ? dbCli : cli)(["node", "ml-agents", ...rest]).pipe(
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


