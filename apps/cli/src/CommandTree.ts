/**
 * The command tree as plain data: every command with its description, options (type, choices,
 * default, whether required or repeated) and arguments, read from the @effect/cli definitions.
 *
 * Why: help, usage errors and shell completions all need the same facts, and @effect/cli's own
 * renderers get them wrong for this program (a generic "A user-defined piece of text." on every
 * option, `$ import` as the usage line, repeated options shown as required, third-level commands
 * never completed). Reading the definitions keeps one source of truth: a new option declared with
 * `Options.*` and `Options.withDescription` appears in help, errors and completions by itself.
 *
 * This reads @effect/cli's descriptor structure (stable within the pinned 0.77 line, see
 * package.json), which is not part of its typed API: hence the narrow `any` walkers below.
 */
import type { Command } from "@effect/cli"

/** An option of a command. */
export interface OptionSpec {
  /** `--agent` */
  readonly name: string
  /** `-o` */
  readonly aliases: ReadonlyArray<string>
  readonly type: "text" | "integer" | "float" | "boolean" | "choice" | "path" | "date" | "secret"
  /** For `choice`. */
  readonly choices: ReadonlyArray<string>
  readonly description: string
  /** Shown as `default: …`; undefined when there is none. */
  readonly defaultValue: string | undefined
  /** Must be given. */
  readonly required: boolean
  /** May be given several times. */
  readonly repeated: boolean
  /** What the value looks like in usage lines (`<id>`, `key=value`). */
  readonly placeholder: string
}

/** A positional argument of a command. */
export interface ArgSpec {
  readonly name: string
  readonly description: string
  readonly required: boolean
  /** At least this many (for variadic arguments). */
  readonly min: number
  readonly repeated: boolean
}

/** A command: its name, description, options, arguments and subcommands. */
export interface Node {
  readonly name: string
  /** The words from the program down to this command: `["ml-agents", "evaluate", "run"]`. */
  readonly path: ReadonlyArray<string>
  readonly description: string
  readonly options: ReadonlyArray<OptionSpec>
  readonly args: ReadonlyArray<ArgSpec>
  readonly children: ReadonlyArray<Node>
}

// ---- HelpDoc / Span to plain text --------------------------------------------------------------

const spanText = (span: any): string => {
  if (span === undefined || span === null) return ""
  switch (span._tag) {
    case "Sequence":
      return spanText(span.left) + spanText(span.right)
    case "Text":
    case "Code":
    case "Error":
    case "Weak":
    case "Strong":
    case "URI":
      return typeof span.value === "string" ? span.value : spanText(span.value)
    case "Highlight":
      return spanText(span.value)
    default:
      return ""
  }
}

/** The paragraphs of a HelpDoc as plain text. */
const docParagraphs = (doc: any): Array<string> => {
  if (doc === undefined || doc === null) return []
  switch (doc._tag) {
    case "Sequence":
      return [...docParagraphs(doc.left), ...docParagraphs(doc.right)]
    case "Paragraph":
    case "Header":
      return [spanText(doc.value)]
    default:
      return []
  }
}

/** A HelpDoc (descriptions, @effect/cli error messages) as one line of plain text. */
export const docText = (doc: unknown): string => docParagraphs(doc).filter((p) => p.trim() !== "").join(" ")

// ---- Options -------------------------------------------------------------------------------------

const primitiveType = (primitive: any): OptionSpec["type"] => {
  switch (primitive?._tag) {
    case "Integer":
      return "integer"
    case "Float":
      return "float"
    case "Bool":
      return "boolean"
    case "Choice":
      return "choice"
    case "Path":
      return "path"
    case "DateTime":
      return "date"
    case "Secret":
    case "Redacted":
      return "secret"
    default:
      return "text"
  }
}

const showDefault = (value: unknown): string | undefined => {
  if (value === undefined || value === null) return undefined
  // Options.optional is withDefault(Option.none()): no default to show.
  if (typeof value === "object" && value !== null && "_tag" in value) {
    const tag = (value as { _tag: string })._tag
    if (tag === "None") return undefined
    if (tag === "Some") return showDefault((value as any).value)
  }
  if (typeof value === "boolean") return undefined
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.join(",")
  return String(value)
}

const singleSpec = (single: any, modifiers: { defaultValue?: unknown; hasDefault: boolean; repeated: boolean }): OptionSpec => {
  const type = primitiveType(single.primitiveType)
  const pseudo = single.pseudoName?._tag === "Some" ? String(single.pseudoName.value) : undefined
  const choices = type === "choice" ? (single.primitiveType.alternatives as ReadonlyArray<[string, unknown]>).map(([name]) => name) : []
  return {
    name: single.fullName ?? `--${single.name}`,
    aliases: (single.aliases as ReadonlyArray<string>).map((a) => (a.length === 1 ? `-${a}` : `--${a}`)),
    type,
    choices,
    description: docText(single.description),
    defaultValue: modifiers.hasDefault ? showDefault(modifiers.defaultValue) : undefined,
    required: !modifiers.hasDefault && !modifiers.repeated && type !== "boolean",
    repeated: modifiers.repeated,
    placeholder: pseudo ?? (type === "choice" ? choices.join("|") : type)
  }
}

const optionSpecs = (options: any, modifiers = { hasDefault: false, defaultValue: undefined as unknown, repeated: false }): Array<OptionSpec> => {
  if (options === undefined || options === null) return []
  switch (options._tag) {
    case "Empty":
      return []
    case "Single":
      return [singleSpec(options, modifiers)]
    case "KeyValueMap":
      return [singleSpec(options.argumentOption, { ...modifiers, repeated: true })]
    case "Variadic":
      return [singleSpec(options.argumentOption, { ...modifiers, repeated: true, hasDefault: modifiers.hasDefault || options.min?._tag !== "Some" })]
    case "Map":
      return optionSpecs(options.options, modifiers)
    case "WithFallback":
      return optionSpecs(options.options, { ...modifiers, hasDefault: true })
    case "WithDefault":
      return optionSpecs(options.options, { ...modifiers, hasDefault: true, defaultValue: options.fallback })
    case "Both":
      return [...optionSpecs(options.left, modifiers), ...optionSpecs(options.right, modifiers)]
    case "OrElse":
      // A boolean with a negation (`--x` / `--no-x`): both names are options of the command.
      return [...optionSpecs(options.left, modifiers), ...optionSpecs(options.right, modifiers)]
    default:
      return []
  }
}

// ---- Args ------------------------------------------------------------------------------------------

const argSpecs = (args: any, modifiers = { optional: false, repeated: false, min: 1 }): Array<ArgSpec> => {
  if (args === undefined || args === null) return []
  switch (args._tag) {
    case "Empty":
      return []
    case "Single":
      return [{
        name: args.pseudoName?._tag === "Some" ? String(args.pseudoName.value) : args.name,
        description: docText(args.description),
        required: !modifiers.optional,
        min: modifiers.optional ? 0 : modifiers.min,
        repeated: modifiers.repeated
      }]
    case "Variadic": {
      const min = args.min?._tag === "Some" ? Number(args.min.value) : 0
      return argSpecs(args.args, { optional: modifiers.optional || min === 0, repeated: true, min })
    }
    case "Map":
    case "WithFallbackConfig":
      return argSpecs(args.args, modifiers)
    case "WithDefault":
      return argSpecs(args.args, { ...modifiers, optional: true })
    case "Both":
      return [...argSpecs(args.left, modifiers), ...argSpecs(args.right, modifiers)]
    default:
      return []
  }
}

// ---- Commands --------------------------------------------------------------------------------------

const fromDescriptor = (descriptor: any, parentPath: ReadonlyArray<string>): Node => {
  switch (descriptor._tag) {
    case "Map":
      return fromDescriptor(descriptor.command, parentPath)
    case "Subcommands": {
      const parent = fromDescriptor(descriptor.parent, parentPath)
      const children = (descriptor.children as ReadonlyArray<any>).map((child) => fromDescriptor(child, parent.path))
      return { ...parent, children: [...parent.children, ...children] }
    }
    case "Standard":
    case "GetUserInput":
    default: {
      const path = [...parentPath, descriptor.name as string]
      return {
        name: descriptor.name,
        path,
        description: docText(descriptor.description),
        options: descriptor._tag === "Standard" ? optionSpecs(descriptor.options) : [],
        args: descriptor._tag === "Standard" ? argSpecs(descriptor.args) : [],
        children: []
      }
    }
  }
}

/** The tree of a @effect/cli command. */
export const fromCommand = (command: Command.Command<any, any, any, any>): Node =>
  fromDescriptor((command as unknown as { descriptor: unknown }).descriptor, [])

/** The node reached by a path of command names below the root (`["evaluate", "run"]`), if any. */
export const find = (root: Node, names: ReadonlyArray<string>): Node | undefined => {
  let node: Node | undefined = root
  for (const name of names) {
    node = node?.children.find((c) => c.name === name)
    if (node === undefined) return undefined
  }
  return node
}

/** The option of a command called `name` (`--agent`, or an alias such as `-o`). */
export const findOption = (node: Node, name: string): OptionSpec | undefined =>
  node.options.find((o) => o.name === name || o.aliases.includes(name))
