/**
 * The sandbox service: runs untrusted Python against its assert tests and returns an
 * `Execution`. Each run gets a fresh process tree in bubblewrap: new user, PID, network, IPC, UTS
 * and mount namespaces (no network at all, only a loopback of its own), a read-only view of
 * `/usr` and the libraries, an empty environment (no API key, no database URL), a size-limited
 * tmpfs as the only writable directory (gone with the sandbox), rlimits on CPU time, memory,
 * processes, file size and open files, and a wall clock kept by Node, which kills the sandbox.
 * As root it runs the sandbox as an unprivileged uid (root ignores RLIMIT_NPROC).
 *
 * Without a working bubblewrap every run fails with `SandboxUnavailable`, which says how to get
 * one; `unsafeNoSandbox` runs the interpreter bare (same limits and empty environment, no
 * namespaces) for people who accept the risk, and each execution records that it was unsandboxed.
 * Runs are bounded by their own semaphore (`CODE_EXEC_CONCURRENCY`, default the number of
 * cores), separate from the model calls', and never block the event loop.
 */
import { Config, type ConfigError, Context, Data, Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { Execution, Program } from "./Execution.js"
import * as Limits from "./Limits.js"
import { classify, sandboxSetupFailure } from "./internal/classify.js"
import { launcherEnv, sandboxed, type Tools, unsandboxed, which } from "./internal/launch.js"
import { run } from "./internal/process.js"

/** No usable sandbox on this machine; `message` says what is missing, `hint` how to get it. */
export class SandboxUnavailable extends Data.TaggedError("SandboxUnavailable")<{
  readonly reason: "bwrap_missing" | "python_missing" | "setpriv_missing" | "namespaces_denied" | "start_failed"
  readonly problem: string
  readonly hint: string
}> {
  override get message() {
    return `${this.problem} → ${this.hint}`
  }
}

/** How to run without a sandbox, said in every hint. */
const UNSAFE_HINT = "(or pass --unsafe-no-sandbox to run model-written code unconfined, at your own risk)"

/** Settings of the sandbox; every field is optional. */
export interface Options {
  /** Executions at once (default: the number of cores). */
  readonly concurrency?: number | undefined
  /** Run the interpreter without bubblewrap (recorded on every execution). */
  readonly unsafeNoSandbox?: boolean | undefined
  /** The interpreter (default /usr/bin/python3); it must be readable inside the sandbox, i.e. under /usr. */
  readonly python?: string | undefined
  /** The bubblewrap executable (default `bwrap` on PATH). */
  readonly bwrap?: string | undefined
  /** The uid the sandbox runs as when this process is root (default 65534, nobody). */
  readonly uid?: number | undefined
  /** Limits replacing the defaults (see `Limits`). */
  readonly limits?: Partial<Limits.Limits> | undefined
}

/** A program with, optionally, its own limits. */
export interface Request extends Program {
  readonly limits?: Partial<Limits.Limits> | undefined
}

/** The sandbox. */
export class Sandbox extends Context.Tag("@ml-agents/sandbox/Sandbox")<Sandbox, {
  /** `bubblewrap`, or `none` under unsafeNoSandbox. */
  readonly mode: "bubblewrap" | "none"
  /** Executions at once. */
  readonly concurrency: number
  /** Checks once that a trivial program runs (and caches the answer); fails with how to fix it. */
  readonly check: Effect.Effect<void, SandboxUnavailable>
  /** Runs a program against its tests; the code's failures are outcomes, never errors. */
  readonly run: (request: Request) => Effect.Effect<Execution, SandboxUnavailable>
}>() {}

const findTools = (options: Options): Tools | SandboxUnavailable => {
  const python = options.python ?? "/usr/bin/python3"
  if (!fs.existsSync(python)) {
    return new SandboxUnavailable({
      reason: "python_missing",
      problem: `the Python interpreter ${python} is not installed`,
      hint: "install it: sudo apt-get install -y python3"
    })
  }
  const root = process.getuid?.() === 0
  const setpriv = which("setpriv")
  if (options.unsafeNoSandbox === true) {
    return { bwrap: "", python, setpriv, uid: root && setpriv !== undefined ? options.uid ?? 65534 : undefined }
  }
  const bwrap = which(options.bwrap ?? "bwrap")
  if (bwrap === undefined) {
    return new SandboxUnavailable({
      reason: "bwrap_missing",
      problem: "bubblewrap (bwrap), which runs model-written code in a sandbox, is not installed",
      hint: `install it: sudo apt-get install -y bubblewrap (Fedora: sudo dnf install bubblewrap) ${UNSAFE_HINT}`
    })
  }
  if (root && setpriv === undefined) {
    return new SandboxUnavailable({
      reason: "setpriv_missing",
      problem: "setpriv (util-linux), needed to run the sandbox as an unprivileged user when ml-agents runs as root, is not installed",
      hint: `install it: sudo apt-get install -y util-linux, or run ml-agents as an ordinary user ${UNSAFE_HINT}`
    })
  }
  return { bwrap, python, setpriv, uid: root ? options.uid ?? 65534 : undefined }
}

/** Builds the sandbox service. */
export const make = (options: Options = {}): Effect.Effect<Sandbox["Type"]> =>
  Effect.gen(function*() {
    const concurrency = Math.max(1, Math.floor(options.concurrency ?? os.availableParallelism()))
    const semaphore = yield* Effect.makeSemaphore(concurrency)
    const baseLimits = Limits.make(options.limits)
    const unsafe = options.unsafeNoSandbox === true
    const found = findTools(options)

    const execute = (request: Request): Effect.Effect<Execution, SandboxUnavailable> =>
      Effect.gen(function*() {
        if (found instanceof SandboxUnavailable) return yield* found
        const limits = request.limits === undefined ? baseLimits : Limits.make({ ...baseLimits, ...request.limits })
        const input = JSON.stringify({
          code: request.code,
          setup: request.setup ?? "",
          tests: request.tests,
          limits: {
            cpuSeconds: Math.ceil(limits.cpuSeconds),
            memoryBytes: Math.floor(limits.memoryBytes),
            processes: Math.floor(limits.processes),
            fileBytes: Math.floor(limits.fileBytes),
            openFiles: Math.floor(limits.openFiles)
          }
        })
        if (unsafe) {
          // No tmpfs without namespaces: a fresh directory, removed afterwards.
          return yield* Effect.acquireUseRelease(
            Effect.sync(() => {
              const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ml-agents-code-"))
              if (found.uid !== undefined) fs.chownSync(dir, found.uid, found.uid)
              return dir
            }),
            (cwd) =>
              run(unsandboxed(found.python, found.setpriv, found.uid), input, limits, { cwd, env: launcherEnv() }).pipe(
                Effect.map((raw) => classify(raw, request.tests, limits, false))
              ),
            (cwd) => Effect.sync(() => fs.rmSync(cwd, { recursive: true, force: true }))
          )
        }
        const raw = yield* run(sandboxed(found, limits), input, limits, { env: launcherEnv() })
        if (raw.spawnError !== undefined && raw.exitCode === null && raw.signal === null) {
          return yield* new SandboxUnavailable({
            reason: "start_failed",
            problem: `the sandbox could not be started: ${raw.spawnError.message}`,
            hint: `check that bwrap and ${found.python} run on this machine ${UNSAFE_HINT}`
          })
        }
        const setupFailure = sandboxSetupFailure(raw, true)
        if (setupFailure !== undefined) {
          return yield* new SandboxUnavailable({
            reason: "namespaces_denied",
            problem: `bubblewrap cannot set up the sandbox here: ${setupFailure}`,
            hint: "allow unprivileged user namespaces (sudo sysctl -w kernel.unprivileged_userns_clone=1; on Ubuntu 24.04 also " +
              `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0), or run ml-agents as root; an "Unknown option" ` +
              `means a bubblewrap older than 0.5: upgrade it ${UNSAFE_HINT}`
          })
        }
        return classify(raw, request.tests, limits, true)
      })

    const check = yield* Effect.cached(
      execute({ code: "x = 1", tests: ["assert x == 1"] }).pipe(
        Effect.flatMap((execution) =>
          execution.reason === "passed"
            ? Effect.void
            : new SandboxUnavailable({
              reason: "start_failed",
              problem: `a trivial program did not pass in the sandbox (${execution.reason}: ${execution.summary}; stderr: ${
                execution.stderr.text.trim().slice(0, 300)
              })`,
              hint: `check that bwrap and ${options.python ?? "/usr/bin/python3"} run on this machine ${UNSAFE_HINT}`
            })
        )
      )
    )

    return Sandbox.of({
      mode: unsafe ? "none" : "bubblewrap",
      concurrency,
      check,
      run: Effect.fn("Sandbox.run")(function*(request: Request) {
        return yield* semaphore.withPermits(1)(execute(request))
      })
    })
  })

/** The sandbox as a layer. */
export const layer = (options: Options = {}): Layer.Layer<Sandbox> => Layer.effect(Sandbox, make(options))

/** `CODE_EXEC_CONCURRENCY`: executions at once, default the number of cores. */
export const concurrencyConfig: Config.Config<number> = Config.integer("CODE_EXEC_CONCURRENCY").pipe(
  Config.validate({ message: "must be a whole number of at least 1", validation: (n) => n >= 1 }),
  Config.withDefault(os.availableParallelism())
)

/** The sandbox with its concurrency from `CODE_EXEC_CONCURRENCY`. */
export const layerConfig = (options: Omit<Options, "concurrency"> = {}): Layer.Layer<Sandbox, ConfigError.ConfigError> =>
  Layer.effect(
    Sandbox,
    Effect.flatMap(concurrencyConfig, (concurrency) => make({ ...options, concurrency }))
  )
