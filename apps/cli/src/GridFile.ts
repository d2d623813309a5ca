/**
 * An experiment's grid from a YAML or JSON file (`experiment create -f grid.yaml`), read with a
 * parser that keeps positions, so that every problem — a syntax error, an unknown key, a value of
 * the wrong type, and later an unknown agent, a bad parameter, a model or benchmark that does not
 * exist — is reported with its key path and its line.
 *
 * ```yaml
 * name: does reasoning help
 * agents:
 *   - none                       # the first is the baseline
 *   - cot
 *   - agent: tot
 *     params: { tree_depth: 2, max_tokens: 800 }
 *     label: tot-shallow         # optional; default tot(tree_depth=2, max_tokens=800)
 * models: [openai/gpt-4o-mini, anthropic/claude-3.5-haiku]
 * benchmarks: [GPQA, FOLIO]
 * repeats: 3                     # default 1
 * sample: 200                    # questions per benchmark, stratified by category; default all
 * seed: 7                        # of the sample; default 1
 * budget: 5                      # USD for the whole experiment; default none
 * ```
 */
import { AgentConfig, type Experiments } from "@ml-agents/core"
import { Data, Either } from "effect"
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml"

/** A problem in a grid file, with where it is. */
export class GridFileError extends Data.TaggedError("GridFileError")<{
  readonly file: string
  readonly line: number
  readonly column: number
  /** The key path, e.g. `agents[2].params.tree_depth`; empty for the whole file. */
  readonly path: string
  readonly problem: string
}> {
  override get message() {
    return `${this.file}:${this.line}:${this.column}: ${this.path === "" ? "" : `${this.path}: `}${this.problem}`
  }
}

/** What a grid file says. */
export interface GridSpec {
  readonly name?: string | undefined
  readonly agents: ReadonlyArray<Experiments.AgentSpec>
  readonly models: ReadonlyArray<string>
  readonly benchmarks: ReadonlyArray<string>
  readonly repeats?: number | undefined
  readonly sample?: number | undefined
  readonly seed?: number | undefined
  readonly budget?: number | undefined
}

/** A parsed grid file: the grid, and where each key path is (for errors found later). */
export interface Parsed {
  readonly spec: GridSpec
  /** The error for a problem at a key path (`agents[1].params`), placed at the deepest part of it in the file. */
  readonly errorAt: (path: string, problem: string) => GridFileError
}

const TOP = ["name", "agents", "models", "benchmarks", "repeats", "sample", "seed", "budget"] as const
const ENTRY = ["agent", "params", "label"] as const

/** `agents[1].params.x` → ["agents", 1, "params", "x"]. */
const segments = (path: string): Array<string | number> =>
  path === "" ? [] : path.split(/\.|(?=\[)/).map((s) => (s.startsWith("[") ? Number(s.slice(1, -1)) : s))

class Problem {
  constructor(readonly node: Node | null | undefined, readonly path: string, readonly problem: string) {}
}

/** Parses and checks the shape of a grid file (YAML 1.2, of which JSON is a subset). */
export const parse = (file: string, text: string): Either.Either<Parsed, GridFileError> => {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  const position = (node: Node | null | undefined) => {
    const offset = node?.range?.[0] ?? 0
    const { col, line } = lineCounter.linePos(offset)
    return { line, column: col }
  }
  const error = (node: Node | null | undefined, path: string, problem: string) =>
    new GridFileError({ file, ...position(node), path, problem })
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!
    const { col, line } = lineCounter.linePos(first.pos[0])
    return Either.left(new GridFileError({ file, line, column: col, path: "", problem: first.message.split("\n")[0]! }))
  }
  const nodeAt = (path: string): Node | null | undefined => {
    let parts = segments(path)
    while (parts.length > 0) {
      const node = doc.getIn(parts, true) as Node | undefined
      if (node !== undefined && node !== null) {
        // A key's own line reads better than its value's for a missing or wrong value.
        return node
      }
      parts = parts.slice(0, -1)
    }
    return doc.contents
  }
  const errorAt = (path: string, problem: string) => error(nodeAt(path), path, problem)

  try {
    const root = doc.contents
    if (!isMap(root)) throw new Problem(root, "", "the file must be a mapping with the keys agents, models and benchmarks (see `ml-agents experiment create --help`)")
    for (const pair of root.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key)
      if (!(TOP as ReadonlyArray<string>).includes(key)) {
        throw new Problem(pair.key as Node, key, `unknown key; the keys are ${TOP.join(", ")}`)
      }
    }
    const scalar = (path: string, kind: "string" | "number" | "integer", required: boolean): any => {
      const node = doc.getIn(segments(path), true) as Node | undefined
      if (node === undefined || node === null) {
        if (required) throw new Problem(root, path, "is missing")
        return undefined
      }
      const value = isScalar(node) ? node.value : undefined
      if (kind === "string" && (typeof value !== "string" || value.trim() === "")) throw new Problem(node, path, "must be a non-empty string")
      if (kind !== "string" && typeof value !== "number") throw new Problem(node, path, `must be a number`)
      if (kind === "integer" && !Number.isInteger(value)) throw new Problem(node, path, "must be a whole number")
      return value
    }
    const list = (key: "models" | "benchmarks") => {
      const node = doc.get(key, true) as Node | undefined
      if (node === undefined) throw new Problem(root, key, "is missing")
      if (!isSeq(node) || node.items.length === 0) throw new Problem(node, key, "must be a non-empty list")
      return node.items.map((_, i) => scalar(`${key}[${i}]`, "string", true) as string)
    }
    const agentsNode = doc.get("agents", true) as Node | undefined
    if (agentsNode === undefined) throw new Problem(root, "agents", "is missing")
    if (!isSeq(agentsNode) || agentsNode.items.length === 0) {
      throw new Problem(agentsNode, "agents", "must be a non-empty list of agent ids or {agent, params, label} entries")
    }
    const agents = agentsNode.items.map((item, i): Experiments.AgentSpec => {
      const path = `agents[${i}]`
      if (isScalar(item)) return { agentType: scalar(path, "string", true) as string }
      if (!isMap(item)) throw new Problem(item as Node, path, "must be an agent id or {agent, params, label}")
      for (const pair of item.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key)
        if (!(ENTRY as ReadonlyArray<string>).includes(key)) {
          throw new Problem(pair.key as Node, `${path}.${key}`, `unknown key; an agent entry has ${ENTRY.join(", ")}`)
        }
      }
      const agentType = scalar(`${path}.agent`, "string", true) as string
      const label = scalar(`${path}.label`, "string", false) as string | undefined
      const paramsNode = item.get("params", true) as Node | undefined
      let params: Record<string, unknown> = {}
      if (paramsNode !== undefined && paramsNode !== null) {
        if (!isMap(paramsNode)) throw new Problem(paramsNode, `${path}.params`, "must be a mapping of parameter names to values")
        params = paramsNode.toJSON() as Record<string, unknown>
      }
      const { agent, model } = AgentConfig.splitDefaults(params)
      return { agentType, agentParameters: agent, modelParameters: model, label }
    })
    const spec: GridSpec = {
      name: scalar("name", "string", false),
      agents,
      models: list("models"),
      benchmarks: list("benchmarks"),
      repeats: scalar("repeats", "integer", false),
      sample: scalar("sample", "integer", false),
      seed: scalar("seed", "integer", false),
      budget: scalar("budget", "number", false)
    }
    return Either.right({ spec, errorAt })
  } catch (e) {
    if (e instanceof Problem) return Either.left(error(e.node, e.path, e.problem))
    throw e
  }
}
