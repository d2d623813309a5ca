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
 * of the same command. When there was none, or V8 rejected it (other V8 flags, say), the bytecode
 * of everything the command compiled is saved as it exits successfully. The cache lives in
 * `$XDG_CACHE_HOME/ml-agents/code-cache` (else `~/.cache/...`), one file per command, named by
 * the Node version, a hash of the bundle's path and a hash of its contents, so a rebuilt CLI
 * never meets bytecode of another build, nor a checkout another checkout's (whose file names V8
 * would report in stack traces); a new file replaces the same Node version's files of other
 * builds at the same location. It is
 * written to a temporary file and renamed, so concurrent runs never read half a file.
 *
 * Trust: V8 checks a cache's version, flags and source length, not its contents, so bytecode it
 * accepts runs as the user. The cache is therefore used only from a directory and a file that the
 * user owns and nobody else can write to (the directory is made 0700, the files 0600). Failing
 * to read or write it costs only the speed-up. `NODE_DISABLE_COMPILE_CACHE=1` (Node 22's own
 * switch for its cache) turns it off.
 */
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { debuglog } from "node:util"
import * as v8 from "node:v8"
import * as vm from "node:vm"

/**
 * Memory: how far V8 lets the heap grow past what survived its last full collection before it
 * collects again. By default that factor is chosen between 1.1 and 4 from how fast the program
 * allocates, and a run allocates fast (about 190 KB per question in the SDK, the run loop and
 * SQL, nearly all of it short-lived): a 12,000-question run with some 40 MB live let its heap grow
 * to 170 MB, and the process to 250 MB. A fixed 1.5 keeps it at about 180 MB for a few more full
 * collections, which run concurrently with the program (`pnpm bench experiment` shows both).
 * The factor is read at every collection, so setting it here, before anything is allocated,
 * works as the command-line flag would. Whoever runs `node --heap-growing-percent=N bin.js`
 * keeps theirs (0 is V8's default; Node does not take the flag in NODE_OPTIONS). It must come
 * before the code cache is read: V8 rejects a cache made under other flags.
 */
const HEAP_GROWING_PERCENT = 50
if (!process.execArgv.some((arg) => arg.includes("heap-growing-percent"))) {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`)
}

// NODE_DEBUG=ml-agents-code-cache says what the cache did.
const debug = debuglog("ml-agents-code-cache")

const here = path.dirname(fileURLToPath(import.meta.url))
const bundle = path.join(here, "cli.cjs")

let bytes: Buffer | undefined
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

/** Owned by this user and writable by nobody else (where the platform has owners). */
const ownedAndPrivate = (stats: fs.Stats): boolean =>
  process.getuid === undefined || (stats.uid === process.getuid() && (stats.mode & 0o022) === 0)

interface Cache {
  readonly dir: string
  /** Files of this Node version and platform start with this; of this build, with `build`. */
  readonly runtime: string
  readonly build: string
  readonly file: string
}

const cache: Cache | undefined = (() => {
  if ((process.env.NODE_DISABLE_COMPILE_CACHE ?? "") !== "") return undefined
  try {
    const dir = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "ml-agents", "code-cache")
    // Per location as well as per build: V8 keeps the script's file name with its bytecode, so
    // two checkouts with the same bundle must not share it (stack traces would name the other).
    const location = createHash("sha1").update(bundle).digest("hex").slice(0, 8)
    const runtime = `${process.version}-${process.platform}-${process.arch}-${location}-`
    const build = runtime + createHash("sha1").update(bytes!).digest("hex").slice(0, 16)
    return { dir, runtime, build, file: path.join(dir, `${build}-${commandKey(process.argv.slice(2))}.bin`) }
  } catch {
    // No home directory to put it in.
    return undefined
  }
})()

let cachedData: Buffer | undefined
if (cache !== undefined) {
  try {
    if (ownedAndPrivate(fs.statSync(cache.dir)) && ownedAndPrivate(fs.statSync(cache.file))) {
      cachedData = fs.readFileSync(cache.file)
    } else {
      debug(`not used (not owned by this user, or writable by others): ${cache.file}`)
    }
  } catch {
    // No cache yet (or unreadable): compile from source.
  }
}

// Node's own CommonJS wrapper, on the bundle's first line so that line numbers stay the file's.
// (USE_MAIN_CONTEXT_DEFAULT_LOADER exists from Node 20.12; plugins do not depend on it, see below.)
const mainContextLoader: unknown = (vm as unknown as { constants?: { USE_MAIN_CONTEXT_DEFAULT_LOADER?: unknown } })
  .constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER
const script = new vm.Script(
  `(function (exports, require, module, __filename, __dirname) {${bytes!.toString("utf8")}\n})`,
  {
    filename: bundle,
    ...(cachedData === undefined ? {} : { cachedData }),
    ...(mainContextLoader === undefined ? {} : { importModuleDynamically: mainContextLoader as never })
  }
)
if (cache !== undefined) {
  debug(cachedData === undefined ? `no cache at ${cache.file}` : script.cachedDataRejected === true ? `cache rejected: ${cache.file}` : `cache used: ${cache.file}`)
}
const cacheUsed = cachedData !== undefined && script.cachedDataRejected !== true
// V8 holds the source and the bytecode now: the file's bytes and the cache's are not needed again
// (together some 5 MB that a long run would otherwise carry to its end).
bytes = undefined
cachedData = undefined

// Agent plugins are ES modules, loaded with import(). Code compiled from a V8 code cache cannot
// call import() itself on Node 20, so the program imports through this module instead.
;(globalThis as Record<symbol, unknown>)[Symbol.for("ml-agents/import")] = (specifier: string) => import(specifier)

if (cache !== undefined && !cacheUsed) {
  process.once("exit", (code) => {
    // Only a command that worked is worth caching for (a typo is rarely run twice).
    if (code !== 0) return
    try {
      const data = script.createCachedData()
      fs.mkdirSync(cache.dir, { recursive: true, mode: 0o700 })
      if (!ownedAndPrivate(fs.statSync(cache.dir))) return
      const temporary = `${cache.file}.${process.pid}.tmp`
      fs.writeFileSync(temporary, data, { mode: 0o600 })
      fs.renameSync(temporary, cache.file)
      debug(`cache written: ${cache.file} (${data.length} bytes)`)
      const now = Date.now()
      for (const name of fs.readdirSync(cache.dir)) {
        const full = path.join(cache.dir, name)
        const otherBuild = name.startsWith(cache.runtime) && !name.startsWith(cache.build) && name.endsWith(".bin")
        // A temporary file left by a process that died while writing it.
        const leftOver = name.endsWith(".tmp") && now - fs.statSync(full).mtimeMs > 60_000
        if (otherBuild || leftOver) fs.rmSync(full, { force: true })
      }
    } catch {
      // A read-only or full disk: the next start compiles from source again.
    }
  })
}

const module = { exports: {} }
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, here)
