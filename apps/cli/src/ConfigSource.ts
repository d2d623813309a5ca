/**
 * Where configuration comes from: one effect `ConfigProvider` over the process environment, the
 * `.env` file (or `--config <file>`) and, when an environment is named (`ML_AGENTS_ENV=production`
 * or `--env production`), `.env.production` beside it. Real environment variables win over both
 * files, the named environment's file over `.env`. A blank value counts as unset, so a template
 * line `NAME=` keeps the default and an empty variable does not hide a file's value.
 *
 * Every package reads its own variables from this provider with its `Config` (the OpenRouter
 * adapter its `OPENROUTER_*`, the CLI the rest, see AppConfig.ts); this module also remembers
 * where each value came from, so that an error names the variable, the file and the line.
 */
import { ConfigError, ConfigProvider, Data } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as DotEnv from "./DotEnv.js"

/** A configuration value, or file, that cannot be used. */
export class ConfigInvalid extends Data.TaggedError("ConfigInvalid")<{
  readonly variable: string
  readonly problem: string
  /** Where the value was set: `.env.production:3`, `the environment`; absent when unknown. */
  readonly origin?: string | undefined
}> {
  override get message() {
    return `${this.variable}: ${this.problem}${this.origin !== undefined ? ` (set in ${this.origin})` : ""}`
  }
}

/** A configuration file considered, and whether it was there. */
export interface EnvFile {
  readonly file: string
  readonly read: boolean
}

/** The configuration's sources, merged into one provider. */
export interface ConfigSource {
  readonly provider: ConfigProvider.ConfigProvider
  /** The merged values (blank ones left out), for what reads names dynamically. */
  readonly values: Readonly<Record<string, string>>
  /** The files considered, in the order they were read (later ones win). */
  readonly files: ReadonlyArray<EnvFile>
  /** The named environment (`--env`, else ML_AGENTS_ENV), if any. */
  readonly environment: string | undefined
  /** Where a variable's value came from: `/path/.env:3`, `the environment`, or undefined (unset). */
  readonly origin: (variable: string) => string | undefined
}

/** What to read. */
export interface Options {
  /** `--config <file>`: must exist. Default `.env` in `cwd`, optional. */
  readonly configPath?: string | undefined
  /** `--env <name>`: wins over ML_AGENTS_ENV. */
  readonly environment?: string | undefined
  readonly cwd: string
  readonly env: Readonly<Record<string, string | undefined>>
}

const readFile = (file: string, required: boolean, variable: string): Map<string, { value: string; line: number }> | undefined => {
  let text: string
  try {
    text = fs.readFileSync(file, "utf8")
  } catch (e) {
    if (!required && (e as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw new ConfigInvalid({ variable, problem: `cannot read '${file}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` })
  }
  try {
    return DotEnv.parseWithLines(text, file)
  } catch (e) {
    throw new ConfigInvalid({ variable, problem: (e as Error).message })
  }
}

const present = (value: string | undefined): value is string => value !== undefined && value.trim() !== ""

/** Reads the files and the environment into one provider; throws ConfigInvalid for an unreadable file. */
export const load = (options: Options): ConfigSource => {
  const base = options.configPath !== undefined ? path.resolve(options.cwd, options.configPath) : path.join(options.cwd, ".env")
  const files: Array<EnvFile> = []
  const values = new Map<string, string>()
  const origins = new Map<string, string>()
  const apply = (file: string, entries: Map<string, { value: string; line: number }> | undefined) => {
    files.push({ file, read: entries !== undefined })
    for (const [key, { line, value }] of entries ?? []) {
      if (!present(value)) continue
      values.set(key, value)
      origins.set(key, `${file}:${line}`)
    }
  }
  const baseEntries = readFile(base, options.configPath !== undefined, options.configPath !== undefined ? "--config" : ".env")
  apply(base, baseEntries)
  const named = [options.environment, options.env.ML_AGENTS_ENV, baseEntries?.get("ML_AGENTS_ENV")?.value].find(present)?.trim()
  if (named !== undefined) {
    if (!/^[A-Za-z0-9_.-]+$/.test(named)) {
      throw new ConfigInvalid({
        variable: options.environment !== undefined ? "--env" : "ML_AGENTS_ENV",
        problem: `'${named}' is not an environment name (letters, digits, '-', '_', '.'), e.g. production`
      })
    }
    const file = path.join(path.dirname(base), `.env.${named}`)
    apply(file, readFile(file, false, "ML_AGENTS_ENV"))
  }
  for (const [key, value] of Object.entries(options.env)) {
    if (!present(value)) continue
    values.set(key, value)
    origins.set(key, "the environment")
  }
  return {
    provider: ConfigProvider.fromMap(values),
    values: Object.fromEntries(values),
    files,
    environment: named,
    origin: (variable) => origins.get(variable)
  }
}

/** The first problem of a ConfigError, as a ConfigInvalid naming the variable and where it was set. */
export const fromConfigError = (error: ConfigError.ConfigError, source: Pick<ConfigSource, "origin">): ConfigInvalid => {
  const leaves = (e: ConfigError.ConfigError): Array<ConfigError.ConfigError> =>
    e._op === "And" || e._op === "Or" ? [...leaves(e.left), ...leaves(e.right)] : [e]
  // A value that is wrong says more than one that is missing (an unset key makes the adapter's
  // whole Config "missing", which is fine, but not when another of its values is wrong).
  const all = leaves(error)
  const chosen = all.find((e) => e._op === "InvalidData") ?? all[0]!
  const { message, path: where } = chosen as { readonly message: string; readonly path: ReadonlyArray<string> }
  const variable = where.join("_") || "configuration"
  // The adapters' messages often start with the variable's name already.
  const problem = message.startsWith(`${variable} `) ? message.slice(variable.length + 1) : message
  return new ConfigInvalid({ variable, problem, origin: source.origin(variable) })
}
