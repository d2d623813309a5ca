#!/usr/bin/env node
/**
 * The `ml-agents` executable: runs the bundled program (`dist/cli.cjs`) through a V8 code cache.
 *
 * Why: Node 20 compiles the 3 MB bundle afresh on every start, and then each function again the
 * first time it runs. Both showed in `node --cpu-prof` as a large share of a short command
 * (`--help`) and of the first thousand questions of a run, before the code is warm. Node 22 has
 * a module compile cache (`module.enableCompileCache`); Node 20 has only `vm.Script`'s
 * `cachedData`, which this uses.
 *
 * How: the bundle is compiled as a CommonJS function with the cached bytecode of an earlier run
 * of the same command. When there was none, or V8 rejected it (another Node version or other V8
 * flags), the bytecode of everything the command compiled is saved as it exits successfully. The
 * cache lives in `$XDG_CACHE_HOME/ml-agents/code-cache` (else `~/.cache/...`), one file per
 * command, named by a hash of the bundle's contents (so a rebuilt CLI never meets bytecode of
 * another build) and the Node version; files of other builds are removed when a new one is
 * written. It is written to a temporary file and renamed, so concurrent runs never read half a
 * file. Any failure to read or write it only costs the speed-up. `NODE_DISABLE_COMPILE_CACHE=1`
 * (Node 22's own switch for its cache) turns it off.
 */
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { debuglog } from "node:util"
import * as vm from "node:vm"

// NODE_DEBUG=ml-agents-code-cache says what the cache did.
const debug = debuglog("ml-agents-code-cache")

const here = path.dirname(fileURLToPath(import.meta.url))
const bundle = path.join(here, "cli.cjs")

let bytes: Buffer
try {
  bytes = fs.readFileSync(bundle)
} catch (error) {
  process.stderr.write(`ml-agents: cannot read ${bundle} (${(error as Error).message}). Build the CLI first: pnpm build\n`)
  process.exit(1)
}

/**
 * The command's words (`evaluate run`, `benchmark import`), which pick its cache file. Help and
 * version output has a file of its own: `evaluate run --help` compiles little of what a run needs.
 */
const commandKey = (argv: ReadonlyArray<string>): string => {
  if (argv.some((arg) => arg === "-h" || arg === "--help" || arg === "--version" || arg === "--wizard" || arg === "--completions")) return "help"
  const words: Array<string> = []
  for (const arg of argv) {
    if (words.length === 2 || !/^[a-z][a-z-]*$/.test(arg)) break
    words.push(arg)
  }
  return words.length === 0 ? "main" : words.join("-")
}

const cacheDisabled = (process.env.NODE_DISABLE_COMPILE_CACHE ?? "") !== ""
const cacheDir = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "ml-agents", "code-cache")
const build = createHash("sha1").update(bytes).update(process.version).update(process.arch).digest("hex").slice(0, 16)
const cacheFile = path.join(cacheDir, `${build}-${commandKey(process.argv.slice(2))}.bin`)

let cachedData: Buffer | undefined
if (!cacheDisabled) {
  try {
    cachedData = fs.readFileSync(cacheFile)
  } catch {
    // No cache yet (or unreadable): compile from source.
  }
}

// Node's own CommonJS wrapper, on the bundle's first line so that line numbers stay the file's.
const script = new vm.Script(
  `(function (exports, require, module, __filename, __dirname) {${bytes.toString("utf8")}\n})`,
  {
    filename: bundle,
    ...(cachedData === undefined ? {} : { cachedData }),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER
  }
)
debug(cachedData === undefined ? `no cache at ${cacheFile}` : script.cachedDataRejected === true ? `cache rejected: ${cacheFile}` : `cache used: ${cacheFile}`)

// Agent plugins are ES modules, loaded with import(). Once the bundle comes from the cache, Node 20
// no longer honours importModuleDynamically for it, so it imports through this module instead.
;(globalThis as Record<symbol, unknown>)[Symbol.for("ml-agents/import")] = (specifier: string) => import(specifier)

if (!cacheDisabled && (cachedData === undefined || script.cachedDataRejected === true)) {
  process.once("exit", (code) => {
    // Only a command that worked is worth caching for (a typo is rarely run twice).
    if (code !== 0) return
    try {
      const data = script.createCachedData()
      fs.mkdirSync(cacheDir, { recursive: true })
      const temporary = `${cacheFile}.${process.pid}.tmp`
      fs.writeFileSync(temporary, data)
      fs.renameSync(temporary, cacheFile)
      debug(`cache written: ${cacheFile} (${data.length} bytes)`)
      for (const name of fs.readdirSync(cacheDir)) {
        if (!name.startsWith(build) && name.endsWith(".bin")) fs.rmSync(path.join(cacheDir, name), { force: true })
      }
    } catch {
      // A read-only or full disk: the next start compiles from source again.
    }
  })
}

const module = { exports: {} }
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, here)
