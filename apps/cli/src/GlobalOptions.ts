/**
 * The global options, accepted anywhere on the command line, declared once: the same list is
 * parsed here, shown once at the end of every help page, completed by the shells and asked by
 * the wizard. (@effect/cli's own built-ins — `--completions`, `--log-level`, `--wizard`,
 * `--version` — are handled by the program before @effect/cli sees the arguments, so they are
 * not repeated in every subcommand's help.)
 */
import type { OptionSpec } from "./CommandTree.js"
import { UsageError } from "./UsageError.js"

/** The global flags, after parsing. */
export interface GlobalFlags {
  readonly verbose: boolean
  readonly quiet: boolean
  readonly configPath: string | undefined
  /** `--env production`: read `.env.production` over `.env` (overrides ML_AGENTS_ENV). */
  readonly env: string | undefined
  /** `--log-level`: kept for those who know it from other Effect programs; undocumented (it is `--verbose`/`--quiet`/LOG_LEVEL). */
  readonly logLevel: string | undefined
  readonly help: boolean
  readonly version: boolean
  readonly wizard: boolean
  readonly completions: string | undefined
}

const spec = (o: Partial<OptionSpec> & Pick<OptionSpec, "name" | "description">): OptionSpec => ({
  aliases: [],
  type: "boolean",
  choices: [],
  defaultValue: undefined,
  required: false,
  repeated: false,
  placeholder: "",
  ...o
})

/** The shells `--completions` writes a script for. */
export const SHELLS = ["bash", "zsh", "fish"] as const

/** Every global option, in the order help shows them. */
export const specs: ReadonlyArray<OptionSpec> = [
  spec({
    name: "--config",
    type: "path",
    placeholder: "file",
    description: "read configuration from this file instead of ./.env (environment variables still win), e.g. --config ~/lab.env"
  }),
  spec({
    name: "--env",
    type: "text",
    placeholder: "name",
    description: "read .env.<name> over .env (as ML_AGENTS_ENV=<name>), e.g. --env production"
  }),
  spec({ name: "--verbose", description: "debug logs on stderr, and which database and configuration files are used" }),
  spec({ name: "--quiet", aliases: ["-q"], description: "print only what a script needs (the new id, the names in a list); errors still go to stderr" }),
  spec({ name: "--help", aliases: ["-h"], description: "show help for the command" }),
  spec({ name: "--version", aliases: ["-v"], description: "print the version" }),
  spec({
    name: "--completions",
    type: "choice",
    choices: SHELLS,
    placeholder: "shell",
    description: "print the completion script of bash, zsh or fish (installing it: see the README), e.g. source <(ml-agents --completions bash)"
  }),
  spec({ name: "--wizard", description: "build a command interactively (needs a terminal)" })
]

/** Separates the global flags (accepted anywhere before `--`) from the command's own arguments. */
export const split = (argv: ReadonlyArray<string>): { flags: GlobalFlags; rest: Array<string> } => {
  const rest: Array<string> = []
  const flags = {
    verbose: false,
    quiet: false,
    configPath: undefined as string | undefined,
    env: undefined as string | undefined,
    logLevel: undefined as string | undefined,
    help: false,
    version: false,
    wizard: false,
    completions: undefined as string | undefined
  }
  const value = (name: string, i: number, example: string): string => {
    const v = argv[i]
    if (v === undefined || (v.startsWith("-") && v.length > 1)) {
      throw new UsageError({ flag: name, problem: `${name} needs a value`, fix: `e.g. ${example}` })
    }
    return v
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === "--") {
      rest.push(...argv.slice(i))
      break
    }
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1
    const name = eq > 0 ? arg.slice(0, eq) : arg
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined
    const takeValue = (example: string) => inline ?? value(name, ++i, example)
    if (name === "--verbose") flags.verbose = true
    else if (name === "--quiet" || name === "-q") flags.quiet = true
    else if (name === "--config") flags.configPath = takeValue("--config ./lab.env")
    else if (name === "--env") flags.env = takeValue("--env production")
    else if (name === "--log-level") flags.logLevel = takeValue("--log-level debug")
    else if (name === "--help" || name === "-h") flags.help = true
    else if (name === "--version" || name === "-v") flags.version = true
    else if (name === "--wizard") flags.wizard = true
    else if (name === "--completions") {
      const shell = takeValue("--completions bash")
      if (!(SHELLS as ReadonlyArray<string>).includes(shell)) {
        throw new UsageError({
          flag: "--completions",
          value: shell,
          problem: `--completions '${shell}' is not a shell it knows`,
          allowed: SHELLS.join(", "),
          fix: "e.g. ml-agents --completions bash"
        })
      }
      flags.completions = shell
    } else rest.push(arg)
  }
  return { flags, rest }
}
