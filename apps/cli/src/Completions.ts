/**
 * Shell completion for bash, zsh and fish: every command (at any depth), option and choice, and
 * evaluation ids and benchmark names from the database.
 *
 * Why not @effect/cli's generator: its bash script never matches a third-level command
 * (`evaluate r<TAB>` offers `report`), breaks on a hyphenated program name
 * (Effect-TS/effect#6114), and emits choices as one word (`compgen -W "a,b"`). Here each shell's
 * script is a few lines that ask the program itself: `ml-agents __complete <words…>` prints the
 * candidates for the last word, one per line as `value<TAB>description`, computed from the same
 * command tree as the help (CommandTree.ts). One implementation serves the three shells, and it
 * can read the database. A line `:files` asks the shell to complete file names instead.
 */
import Database from "better-sqlite3"
import { Database as SqliteDatabase } from "@ml-agents/storage-sqlite"
import { Effect, Either } from "effect"
import * as fs from "node:fs"
import * as AppConfig from "./AppConfig.js"
import * as BenchmarkFiles from "./BenchmarkFiles.js"
import * as CommandTree from "./CommandTree.js"
import * as GlobalOptions from "./GlobalOptions.js"
import * as Output from "./Output.js"

/** The hidden command the scripts call. */
export const COMMAND = "__complete"

/** A shell with a completion script. */
export type Shell = (typeof GlobalOptions.SHELLS)[number]

/** The line that asks the shell to complete file names. */
export const FILES = ":files"

const bash = `# ml-agents completion for bash. Install: see "Shell completion" in the README.
_ml_agents_complete() {
  local IFS=$'\\n' line
  local -a found
  # The program completes the last word itself (it knows the commands and the database).
  found=($("\${COMP_WORDS[0]}" ${COMMAND} "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
  COMPREPLY=()
  for line in "\${found[@]}"; do
    if [[ "$line" == "${FILES}" ]]; then
      COMPREPLY+=($(compgen -f -- "\${COMP_WORDS[COMP_CWORD]}"))
    else
      COMPREPLY+=("\${line%%$'\\t'*}")
    fi
  done
}
complete -o filenames -o bashdefault -F _ml_agents_complete ml-agents
`

const zsh = `#compdef ml-agents
# ml-agents completion for zsh. Install: see "Shell completion" in the README.
_ml_agents() {
  local -a found described
  local line
  found=("\${(@f)$("\${words[1]}" ${COMMAND} "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  for line in "\${found[@]}"; do
    [[ -z "$line" ]] && continue
    if [[ "$line" == "${FILES}" ]]; then
      _files
    else
      described+=("\${\${line%%$'\\t'*}//:/\\\\:}:\${line#*$'\\t'}")
    fi
  done
  (( \${#described} )) && _describe -t values 'ml-agents' described
  return 0
}
if [[ "\${funcstack[1]}" == "_ml-agents" || "\${funcstack[1]}" == "_ml_agents" ]]; then
  _ml_agents "$@"
else
  compdef _ml_agents ml-agents
fi
`

const fish = `# ml-agents completion for fish. Install: see "Shell completion" in the README.
function __ml_agents_complete
    set -l words (commandline -opc) (commandline -ct)
    for line in ($words[1] ${COMMAND} $words[2..-1] 2>/dev/null)
        if test "$line" = "${FILES}"
            __fish_complete_path (commandline -ct)
        else
            echo $line
        end
    end
end
complete -c ml-agents -f -a '(__ml_agents_complete)'
`

/** The completion script of a shell. */
export const script = (shell: Shell): string => (shell === "bash" ? bash : shell === "zsh" ? zsh : fish)

/** Where completion needs values from the user's data: read-only, never creating anything. */
interface Lookup {
  readonly evaluations: () => ReadonlyArray<readonly [string, string]>
  readonly experiments: () => ReadonlyArray<readonly [string, string]>
  readonly benchmarks: () => ReadonlyArray<readonly [string, string]>
  readonly importable: () => ReadonlyArray<readonly [string, string]>
  readonly envNames: () => ReadonlyArray<readonly [string, string]>
}

const lookup = (flags: GlobalOptions.GlobalFlags): Lookup => {
  let config: AppConfig.AppConfig | undefined
  const loadConfig = () =>
    (config ??= Effect.runSync(AppConfig.load({ configPath: flags.configPath, environment: flags.env }, BenchmarkFiles.bundledDir())))
  const query = <A>(sql: string, row: (r: any) => A): ReadonlyArray<A> => {
    try {
      const file = Either.getOrThrow(SqliteDatabase.parseUrl(loadConfig().databaseUrl))
      // Read-only and only an existing file: a TAB must never create a database.
      const db = new Database(file, { readonly: true, fileMustExist: true })
      try {
        return (db.prepare(sql).all() as Array<unknown>).map(row)
      } finally {
        db.close()
      }
    } catch {
      return []
    }
  }
  return {
    evaluations: () =>
      query(
        "select id, agent_type, model_name, benchmark_name, status from evaluations order by created_at desc limit 200",
        (r) => [r.id, `${r.agent_type} · ${r.model_name} · ${r.benchmark_name} (${r.status})`] as const
      ),
    experiments: () =>
      query("select id, name from experiments order by created_at desc limit 200", (r) => [r.id, String(r.name)] as const),
    benchmarks: () => query("select name, question_count from benchmarks order by name", (r) => [r.name, `${r.question_count} questions`] as const),
    importable: () => {
      try {
        return BenchmarkFiles.available(loadConfig().benchmarkDirs).map((f) => [f.name, f.file] as const)
      } catch {
        return []
      }
    },
    envNames: () => {
      try {
        return fs.readdirSync(process.cwd())
          .filter((f) => /^\.env\.[A-Za-z0-9_-]+$/.test(f) && f !== ".env.example")
          .map((f) => [f.slice(".env.".length), f] as const)
      } catch {
        return []
      }
    }
  }
}

type Candidate = readonly [value: string, description: string]

const optionCandidates = (options: ReadonlyArray<CommandTree.OptionSpec>): Array<Candidate> =>
  options.flatMap((o) => [o.name, ...o.aliases.filter((a) => a.startsWith("--"))].map((n) => [n, o.description] as const))

/** Candidates for the value of an option. */
const valueCandidates = (option: CommandTree.OptionSpec, data: Lookup): Array<Candidate> => {
  if (option.choices.length > 0) return option.choices.map((c) => [c, ""] as const)
  switch (option.name) {
    case "--benchmark":
      return [...data.benchmarks()]
    case "--env":
      return [...data.envNames()]
    case "--agent":
      return [["none", "direct answer"], ["cot", "chain of thought"], ["tot", "tree of thoughts"]]
    default:
      return option.type === "path" ? [[FILES, ""]] : []
  }
}

/** Candidates for a positional argument, by its name. */
const argCandidates = (node: CommandTree.Node, arg: CommandTree.ArgSpec, data: Lookup): Array<Candidate> => {
  if (arg.name === "experiment_id") return [...data.experiments()]
  // `report` takes evaluation ids or one experiment id.
  if (node.path.join(" ").endsWith("report")) return [...data.evaluations(), ...data.experiments()]
  if (arg.name === "evaluation_id" || arg.name.endsWith("_id")) return [...data.evaluations()]
  if (node.path.join(" ").endsWith("benchmark import")) return [...data.importable(), [FILES, ""]]
  if (arg.name === "name") return [...data.benchmarks()]
  return []
}

/** The candidates for the last of `words` (the words after the program name). */
export const candidates = (root: CommandTree.Node, words: ReadonlyArray<string>, data: Lookup): Array<Candidate> => {
  const current = words.length === 0 ? "" : words[words.length - 1]!
  const before = words.slice(0, -1)
  let node = root
  let positional = 0
  let pending: CommandTree.OptionSpec | undefined
  const used = new Set<CommandTree.OptionSpec>()
  for (const word of before) {
    if (pending !== undefined) {
      pending = undefined
      continue
    }
    if (word.startsWith("-") && word.length > 1) {
      const name = word.includes("=") ? word.slice(0, word.indexOf("=")) : word
      const option = CommandTree.findOption(node, name) ?? GlobalOptions.specs.find((o) => o.name === name || o.aliases.includes(name))
      if (option !== undefined) {
        used.add(option)
        if (option.type !== "boolean" && !word.includes("=")) pending = option
      }
      continue
    }
    const child = positional === 0 ? node.children.find((c) => c.name === word) : undefined
    if (child !== undefined) node = child
    else positional++
  }
  let found: Array<Candidate>
  if (pending !== undefined) {
    found = valueCandidates(pending, data)
  } else if (current.startsWith("-")) {
    const available = [...node.options, ...GlobalOptions.specs].filter((o) => o.repeated || !used.has(o))
    found = optionCandidates(available)
  } else if (node.children.length > 0) {
    found = node.children.map((c) => [c.name, c.description] as const)
  } else {
    const arg = node.args[Math.min(positional, node.args.length - 1)]
    const moreArgs = arg !== undefined && (positional < node.args.length || arg.repeated)
    found = moreArgs ? argCandidates(node, arg, data) : []
    // Nothing else to give here: offer the options.
    if (found.length === 0 && !moreArgs) found = optionCandidates(node.options.filter((o) => o.repeated || !used.has(o)))
  }
  return found.filter(([value]) => value === FILES || value.startsWith(current))
}

/** `ml-agents __complete <words…>`: prints the candidates for the last word, one per line. */
export const complete = (root: CommandTree.Node, words: ReadonlyArray<string>, flags: GlobalOptions.GlobalFlags) =>
  Effect.gen(function*() {
    const found = candidates(root, words, lookup(flags))
    for (const [value, description] of found) {
      yield* Output.line(description === "" ? value : `${value}\t${description.replace(/\s+/g, " ")}`)
    }
  })
