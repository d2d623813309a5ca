/**
 * Checks a command line against the command tree before @effect/cli parses it, so that every
 * mistake gets a UsageError that names the flag and the value, says what is allowed and how to
 * fix it: an unknown command (`evaluate frobnicate`) or option (`--foo health`), a value of the
 * wrong type (`--temp hot`), a choice that does not exist (`--status done`), a missing value,
 * option or argument. What passes here is what @effect/cli accepts.
 */
import * as CommandTree from "./CommandTree.js"
import { closest, UsageError } from "./UsageError.js"

/** Where a command line leads: the command, its positional words, and its options as given. */
export interface Resolved {
  readonly node: CommandTree.Node
  readonly positional: ReadonlyArray<string>
  readonly given: ReadonlyArray<{ readonly option: CommandTree.OptionSpec; readonly value: string | undefined }>
}

const commandName = (node: CommandTree.Node) => node.path.join(" ")
const helpHint = (node: CommandTree.Node) => `see: ${commandName(node)} --help`

const typeWords: Record<CommandTree.OptionSpec["type"], string> = {
  text: "text",
  integer: "a whole number",
  float: "a number",
  boolean: "no value",
  choice: "one of the choices",
  path: "a file path",
  date: "a date (2026-12-31)",
  secret: "text"
}

/** An example value for a fix line: the default, the first choice, or one of the right type. */
export const exampleValue = (option: CommandTree.OptionSpec): string =>
  /\be\.g\. (--?[a-z-]+)[ =](\S+)/.exec(option.description)?.[1] === option.name
    ? /\be\.g\. --?[a-z-]+[ =](\S+)/.exec(option.description)![1]!.replace(/[),;]$/, "")
    : option.defaultValue ?? (option.type === "choice" ? option.choices[0]! : option.type === "integer" ? "10" : option.type === "float" ? "0.5" : `<${option.placeholder}>`)

const checkValue = (node: CommandTree.Node, option: CommandTree.OptionSpec, value: string) => {
  const fail = (problem: string, allowed: string) =>
    new UsageError({ flag: option.name, value, problem, allowed, fix: `e.g. ${option.name} ${exampleValue(option)}; ${helpHint(node)}` })
  switch (option.type) {
    case "integer":
      if (!/^[+-]?\d+$/.test(value.trim())) throw fail(`${option.name} '${value}' is not a whole number`, "a whole number")
      return
    case "float":
      if (value.trim() === "" || !Number.isFinite(Number(value))) throw fail(`${option.name} '${value}' is not a number`, "a number such as 0.7")
      return
    case "choice":
      if (!option.choices.includes(value)) {
        const near = closest(value, option.choices)
        throw new UsageError({
          flag: option.name,
          value,
          problem: `${option.name} '${value}' is not one of its choices`,
          allowed: option.choices.join(", "),
          fix: near.length > 0 ? `did you mean ${option.name} ${near[0]}?` : `e.g. ${option.name} ${option.choices[0]}`
        })
      }
      return
    default:
      return
  }
}

/** Resolves a command line (global flags already removed) to its command; throws UsageError. */
export const resolve = (root: CommandTree.Node, args: ReadonlyArray<string>): Resolved => {
  let node = root
  const positional: Array<string> = []
  const given: Array<Resolved["given"][number]> = []
  let onlyPositional = false
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (!onlyPositional && arg === "--") {
      onlyPositional = true
      continue
    }
    if (!onlyPositional && arg.startsWith("-") && arg.length > 1 && !/^-\d/.test(arg)) {
      const eq = arg.startsWith("--") ? arg.indexOf("=") : -1
      const name = eq > 0 ? arg.slice(0, eq) : arg
      const option = CommandTree.findOption(node, name)
      if (option === undefined) {
        const names = node.options.flatMap((o) => [o.name, ...o.aliases])
        const near = closest(name, names)
        throw new UsageError({
          flag: name,
          problem: `unknown option ${name} for ${commandName(node)}`,
          allowed: names.length > 0
            ? `${names.join(", ")} and the global options`
            : node.children.length > 0
            ? `the global options here; a command's own options go after it: ${commandName(node)} <command> [options]`
            : "only the global options",
          fix: near.length > 0 ? `did you mean ${near[0]}? ${helpHint(node)}` : helpHint(node)
        })
      }
      if (option.type === "boolean") {
        given.push({ option, value: eq > 0 ? arg.slice(eq + 1) : undefined })
        continue
      }
      const value = eq > 0 ? arg.slice(eq + 1) : args[++i]
      if (value === undefined) {
        throw new UsageError({
          flag: option.name,
          problem: `${option.name} needs a value`,
          allowed: option.type === "choice" ? option.choices.join(", ") : typeWords[option.type],
          fix: `e.g. ${option.name} ${exampleValue(option)}; ${helpHint(node)}`
        })
      }
      checkValue(node, option, value)
      given.push({ option, value })
      continue
    }
    if (!onlyPositional && node.children.length > 0 && positional.length === 0) {
      const child = node.children.find((c) => c.name === arg)
      if (child === undefined) {
        const names = node.children.map((c) => c.name)
        const near = closest(arg, names)
        throw new UsageError({
          flag: arg,
          problem: `${commandName(node)} has no command '${arg}'`,
          allowed: names.join(", "),
          fix: near.length > 0 ? `did you mean: ${commandName(node)} ${near[0]}? ${helpHint(node)}` : helpHint(node)
        })
      }
      node = child
      continue
    }
    positional.push(arg)
  }
  return { node, positional, given }
}

/** Checks what must be given: required options and arguments, and no extra arguments. */
export const checkComplete = (resolved: Resolved): void => {
  const { given, node, positional } = resolved
  if (node.children.length > 0) return
  for (const option of node.options) {
    if (option.required && !given.some((g) => g.option === option)) {
      throw new UsageError({
        flag: option.name,
        problem: `${commandName(node)} needs ${option.name}`,
        allowed: option.type === "choice" ? option.choices.join(", ") : option.description || typeWords[option.type],
        fix: `e.g. ${option.name} ${exampleValue(option)}; ${helpHint(node)}`
      })
    }
  }
  const required = node.args.reduce((n, a) => n + a.min, 0)
  if (positional.length < required) {
    const missing = node.args.find((a, i) => positional.length <= i && a.min > 0) ?? node.args[0]!
    throw new UsageError({
      flag: `<${missing.name}>`,
      problem: `${commandName(node)} needs <${missing.name}>`,
      allowed: missing.description || undefined,
      fix: missing.name === "evaluation_id"
        ? `list evaluation ids with: ml-agents evaluate list; ${helpHint(node)}`
        : helpHint(node)
    })
  }
  const most = node.args.some((a) => a.repeated) ? Infinity : node.args.length
  if (positional.length > most) {
    const extra = positional[most]!
    throw new UsageError({
      flag: extra,
      value: extra,
      problem: `${commandName(node)} takes ${most === 0 ? "no arguments" : `${most} argument${most === 1 ? "" : "s"}`}, and '${extra}' is one too many`,
      allowed: node.args.map((a) => `<${a.name}>`).join(" ") || "no arguments",
      fix: `quote a value that contains spaces; ${helpHint(node)}`
    })
  }
}
