/**
 * Loading third-party plugins by package name (`ML_AGENTS_PLUGINS=pkg-a,pkg-b`), resolved from
 * the working directory's `node_modules` (and its parents', as Node does), exactly as an
 * installed package. A plugin exports agents, graders, or both: an agent as its default export,
 * as `agent`, or a list as `agents` (core's Agent contract); a grader as `grader` or a list as
 * `graders` (core's Grader contract), which adds an answer kind.
 */
import type { Agent, Grader } from "@ml-agents/core"
import { Data, Effect, Schema } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { pathToFileURL } from "node:url"

/** A plugin that cannot be used, and why. */
export class PluginLoadError extends Data.TaggedError("PluginLoadError")<{
  readonly pkg: string
  readonly problem: string
  readonly hint: string
}> {
  override get message() {
    return `plugin '${this.pkg}': ${this.problem}`
  }
}

/** A loaded agent and the package it came from. */
export interface LoadedAgent {
  readonly agent: Agent.Agent<any>
  readonly source: string
}

/** A loaded grader and where it came from ("built-in" or the package). */
export interface LoadedGrader {
  readonly grader: Grader.Grader
  readonly source: string
}

/** Everything a process knows: agents and graders, each with where it came from. */
export interface Loaded {
  readonly agents: ReadonlyArray<LoadedAgent>
  readonly graders: ReadonlyArray<LoadedGrader>
}

const isGrader = (value: unknown): value is Grader.Grader =>
  typeof value === "object" && value !== null &&
  typeof (value as any).kind === "string" &&
  typeof (value as any).version === "string" &&
  typeof (value as any).description === "string" &&
  typeof (value as any).grade === "function"

const isAgent = (value: unknown): value is Agent.Agent<any> =>
  typeof value === "object" && value !== null &&
  typeof (value as any).id === "string" &&
  typeof (value as any).description === "string" &&
  Schema.isSchema((value as any).parameters) &&
  typeof (value as any).solve === "function" &&
  typeof (value as any).modelDefaults === "object"

const entryOf = (pkgDir: string, manifest: any): string | undefined => {
  const root = manifest.exports?.["."] ?? manifest.exports
  const pick = (e: unknown): string | undefined =>
    typeof e === "string" ? e : e && typeof e === "object" ? pick((e as any).import ?? (e as any).node ?? (e as any).default) : undefined
  const rel = pick(root) ?? manifest.module ?? manifest.main ?? "index.js"
  return path.resolve(pkgDir, rel)
}

/**
 * import() of an ES module. The executable (`bin.ts`) provides its own: on Node 20, code compiled
 * from a V8 code cache cannot call import() itself (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING).
 */
const importModule = (url: string): Promise<any> => {
  const host: unknown = (globalThis as Record<symbol, unknown>)[Symbol.for("ml-agents/import")]
  return typeof host === "function" ? host(url) : import(url)
}

/** Finds a package's directory the way Node does: `node_modules/<name>` in cwd and each parent. */
export const locate = (pkg: string, cwd: string): { dir: string | undefined; searched: Array<string> } => {
  const searched: Array<string> = []
  let dir = path.resolve(cwd)
  for (;;) {
    const candidate = path.join(dir, "node_modules", pkg)
    searched.push(path.join(dir, "node_modules"))
    if (fs.existsSync(path.join(candidate, "package.json"))) return { dir: candidate, searched }
    const parent = path.dirname(dir)
    if (parent === dir) return { dir: undefined, searched }
    dir = parent
  }
}

/** Loads one plugin package. */
export const loadOne = (pkg: string, cwd: string): Effect.Effect<Loaded, PluginLoadError> =>
  Effect.gen(function*() {
    const fail = (problem: string, hint: string) => Effect.fail(new PluginLoadError({ pkg, problem, hint }))
    if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(pkg)) {
      return yield* fail("is not a valid package name", "list package names in ML_AGENTS_PLUGINS separated by commas")
    }
    const { dir, searched } = locate(pkg, cwd)
    if (dir === undefined) {
      return yield* fail(
        `not installed (looked in ${searched.slice(0, 3).join(", ")}${searched.length > 3 ? ", …" : ""})`,
        `install it next to where you run ml-agents (npm install ${pkg}), or remove it from ML_AGENTS_PLUGINS`
      )
    }
    const manifest = yield* Effect.try({
      try: () => JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")),
      catch: (e) => new PluginLoadError({ pkg, problem: `unreadable package.json (${(e as Error).message})`, hint: "reinstall the package" })
    })
    const entry = entryOf(dir, manifest)!
    const mod = yield* Effect.tryPromise({
      try: () => importModule(pathToFileURL(entry).href),
      catch: (e) =>
        new PluginLoadError({
          pkg,
          problem: `failed to load ${path.relative(cwd, entry) || entry}: ${(e as Error).message ?? String(e)}`,
          hint: "check that the package is built and its dependencies are installed"
        })
    })
    const candidates: Array<unknown> = [
      mod.default,
      mod.agent,
      ...(Array.isArray(mod.agents) ? mod.agents : [])
    ]
    const agents = [...new Set(candidates.filter(isAgent))]
    const graders = [...new Set([mod.grader, ...(Array.isArray(mod.graders) ? mod.graders : [])].filter(isGrader))]
    if (agents.length === 0 && graders.length === 0) {
      return yield* fail(
        "exports no agent and no grader",
        "a plugin exports an agent satisfying @ml-agents/core's Agent contract as its default export, as `agent`, or a list as `agents`, " +
          "and/or a grader satisfying its Grader contract as `grader` or a list as `graders`"
      )
    }
    const badKind = graders.find((g) => !/^[a-z][a-z0-9_-]{0,39}$/.test(g.kind))
    if (badKind !== undefined) {
      return yield* fail(
        `exports a grader whose kind '${badKind.kind}' is not a valid answer kind`,
        "an answer kind is 1-40 lowercase letters, digits, '_' or '-', starting with a letter"
      )
    }
    return {
      agents: agents.map((agent) => ({ agent, source: pkg })),
      graders: graders.map((grader) => ({ grader, source: pkg }))
    }
  })

/** Loads every plugin, refusing agent ids and answer kinds that clash with each other or with a built-in one. */
export const load = (
  builtIn: ReadonlyArray<Agent.Agent<any>>,
  packages: ReadonlyArray<string>,
  cwd: string,
  builtInGraders: ReadonlyArray<Grader.Grader> = []
): Effect.Effect<Loaded, PluginLoadError> =>
  Effect.gen(function*() {
    const agents: Array<LoadedAgent> = builtIn.map((agent) => ({ agent, source: "built-in" }))
    const graders: Array<LoadedGrader> = builtInGraders.map((grader) => ({ grader, source: "built-in" }))
    const taken = (source: string, what: string) => source === "built-in" ? `a built-in ${what}` : `plugin '${source}'`
    for (const pkg of packages) {
      const loaded = yield* loadOne(pkg, cwd)
      for (const one of loaded.agents) {
        const clash = agents.find((a) => a.agent.id === one.agent.id)
        if (clash !== undefined) {
          return yield* new PluginLoadError({
            pkg,
            problem: `its agent id '${one.agent.id}' is already taken by ${taken(clash.source, "agent")}`,
            hint: "remove one of them from ML_AGENTS_PLUGINS"
          })
        }
        agents.push(one)
      }
      for (const one of loaded.graders) {
        const clash = graders.find((g) => g.grader.kind === one.grader.kind)
        if (clash !== undefined) {
          return yield* new PluginLoadError({
            pkg,
            problem: `its answer kind '${one.grader.kind}' is already taken by ${taken(clash.source, "grader")}`,
            hint: "remove one of them from ML_AGENTS_PLUGINS"
          })
        }
        graders.push(one)
      }
    }
    return { agents, graders }
  })
