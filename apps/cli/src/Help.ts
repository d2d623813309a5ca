/**
 * `--help`: the help page of any command, rendered from the command tree (CommandTree.ts).
 *
 * Why not @effect/cli's: it prints "A user-defined piece of text." for every option, `$ import`
 * as the usage line, a repeated option as if required, its built-in options in every subcommand,
 * pads the command list to about 200 columns, and writes ANSI escapes into pipes. Here: the full
 * command in the usage line, every option with its description, default and choices, the
 * global options once, wrapped to the terminal (80 columns off a terminal), bold only on a
 * terminal without NO_COLOR.
 */
import type * as CommandTree from "./CommandTree.js"
import * as GlobalOptions from "./GlobalOptions.js"
import * as Ui from "./Ui.js"

const placeholder = (option: CommandTree.OptionSpec): string => {
  if (option.type === "boolean") return ""
  // The choices are listed with the option's description; the usage line stays readable.
  if (option.type === "choice") {
    return ` <${option.placeholder !== "" && option.placeholder !== option.choices.join("|") ? option.placeholder : option.name.replace(/^-+/, "")}>`
  }
  if (option.placeholder !== "" && !["text", "integer", "float", "path", "date", "secret"].includes(option.placeholder)) {
    return ` ${option.placeholder.startsWith("<") || option.placeholder.includes("=") ? option.placeholder : `<${option.placeholder}>`}`
  }
  switch (option.type) {
    case "integer":
      return " <n>"
    case "float":
      return " <number>"
    case "path":
      return " <file>"
    case "date":
      return " <date>"
    default:
      return ` <${option.name.replace(/^-+/, "")}>`
  }
}

/** `--agent <agent>`, `-o, --output <file>`. */
const optionLabel = (option: CommandTree.OptionSpec) =>
  [...option.aliases.filter((a) => a.length === 2), option.name].join(", ") + placeholder(option)

/** The usage line's form of an option: `--agent <agent>`, `[--temp <number>]`, `[--param key=value ...]`. */
const usageForm = (option: CommandTree.OptionSpec) => {
  const form = option.name + placeholder(option)
  return option.required ? form : `[${form}${option.repeated ? " ..." : ""}]`
}

const argForm = (arg: CommandTree.ArgSpec) =>
  arg.required ? `<${arg.name}>${arg.repeated ? " ..." : ""}` : `[<${arg.name}> ...]`

/** What a reader needs besides the description: required, choices, default, repeatable. */
const facts = (option: CommandTree.OptionSpec): string => {
  const parts: Array<string> = []
  if (option.required) parts.push("required")
  if (option.type === "choice" && option.choices.length > 0) parts.push(`one of: ${option.choices.join(", ")}`)
  if (option.defaultValue !== undefined) parts.push(`default: ${option.defaultValue}`)
  if (option.repeated) parts.push("repeatable")
  return parts.length === 0 ? "" : ` (${parts.join("; ")})`
}

/** Words of a text wrapped to a width, every line after the first indented. */
const wrap = (text: string, width: number, indent: number, firstUsed = indent): Array<string> => {
  const lines: Array<string> = []
  let line = ""
  let room = Math.max(20, width - firstUsed)
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && Ui.width(line) + 1 + Ui.width(word) > room) {
      lines.push(line)
      line = word
      room = Math.max(20, width - indent)
    } else line = line === "" ? word : `${line} ${word}`
  }
  if (line !== "" || lines.length === 0) lines.push(line)
  return lines.map((l, i) => (i === 0 ? l : " ".repeat(indent) + l))
}

/** Rows of `label  description`, the labels in a column at most 30 wide, the descriptions wrapped. */
const rows = (entries: ReadonlyArray<readonly [string, string]>, width: number): string => {
  const column = Math.min(30, Math.max(...entries.map(([label]) => Ui.width(label))))
  return entries.map(([label, description]) => {
    const pad = Ui.width(label) > column ? `\n${" ".repeat(column + 4)}` : " ".repeat(column - Ui.width(label) + 2)
    return `  ${label}${pad}${wrap(description, width, column + 4).join("\n")}`
  }).join("\n")
}

/** The width to wrap to: the terminal's, else 80. */
export const width = (): number => {
  const columns = process.stdout.isTTY === true ? process.stdout.columns : undefined
  return Math.max(60, Math.min(columns ?? 80, 120))
}

/** The help page of a command of the tree. */
export const render = (node: CommandTree.Node, options: { readonly width?: number; readonly version?: string } = {}): string => {
  const w = options.width ?? width()
  const bold = Ui.style.bold
  const name = node.path.join(" ")
  const out: Array<string> = []
  out.push(wrap(`${bold(name)}${node.path.length === 1 && options.version ? ` ${options.version}` : ""} — ${node.description}`, w, 2).join("\n"))
  out.push("")
  if (node.children.length > 0) {
    out.push(`${bold("Usage:")} ${name} <command> [options]`)
    out.push("")
    out.push(bold("Commands:"))
    out.push(rows(node.children.map((c) => [c.name, c.description] as const), w))
  } else {
    const usage = [name, ...node.args.map(argForm), ...node.options.map(usageForm)].join(" ")
    out.push(wrap(`${bold("Usage:")} ${usage}`, w, 4).join("\n"))
    if (node.args.length > 0) {
      out.push("")
      out.push(bold("Arguments:"))
      out.push(rows(node.args.map((a) => [`<${a.name}>`, a.description || "—"] as const), w))
    }
    if (node.options.length > 0) {
      out.push("")
      out.push(bold("Options:"))
      out.push(rows(node.options.map((o) => [optionLabel(o), (o.description || "—") + facts(o)] as const), w))
    }
  }
  out.push("")
  if (node.path.length === 1) {
    out.push(bold("Global options (anywhere on the line):"))
    out.push(rows(GlobalOptions.specs.map((o) => [optionLabel(o), o.description] as const), w))
  } else {
    // Described once, on the program's page.
    const names = GlobalOptions.specs.map((o) => [...o.aliases, o.name].join("/") + placeholder(o)).join(", ")
    out.push(wrap(`${bold("Global options:")} ${names} (see ${node.path[0]} --help)`, w, 2).join("\n"))
  }
  if (node.children.length > 0) {
    out.push("")
    out.push(`Help on a command: ${name} <command> --help`)
  }
  return out.join("\n")
}
