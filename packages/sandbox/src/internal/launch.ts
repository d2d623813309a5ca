/**
 * The command line that starts the harness: `setpriv` (drop root, die with Node) and `bwrap`
 * (namespaces, read-only system, a small tmpfs as the only writable place, an empty environment),
 * or, under `--unsafe-no-sandbox`, the bare interpreter.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import type { Limits } from "../Limits.js"
import { HARNESS } from "./harness.js"

/** A program and its arguments. */
export interface Launch {
  readonly command: string
  readonly args: ReadonlyArray<string>
}

/** The first executable named `name` on PATH (or `name` itself when it is a path), if any. */
export const which = (name: string): string | undefined => {
  if (name.includes("/")) return isExecutable(name) ? name : undefined
  for (const dir of [...(process.env["PATH"] ?? "").split(path.delimiter), "/usr/bin", "/bin", "/usr/sbin"]) {
    if (dir === "") continue
    const candidate = path.join(dir, name)
    if (isExecutable(candidate)) return candidate
  }
  return undefined
}

const isExecutable = (file: string): boolean => {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}

/** The sandbox's only writable directory (a tmpfs) and its working directory. */
export const WORKDIR = "/sandbox"

/** The environment the code sees: nothing from the parent. */
const ENVIRONMENT: ReadonlyArray<readonly [string, string]> = [
  ["PATH", "/usr/bin:/bin"],
  ["HOME", WORKDIR],
  ["TMPDIR", WORKDIR],
  ["LANG", "C.UTF-8"],
  ["PYTHONIOENCODING", "utf-8"]
]

/** The environment of the launcher processes themselves (setpriv, bwrap, or the bare interpreter). */
export const launcherEnv = (): Record<string, string> => Object.fromEntries(ENVIRONMENT)

/** Mounts of the host's system directories, read-only; merged-/usr symlinks are recreated as such. */
const systemMounts = (): Array<string> => {
  const args = ["--ro-bind", "/usr", "/usr"]
  for (const dir of ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]) {
    let stat: fs.Stats
    try {
      stat = fs.lstatSync(dir)
    } catch {
      continue
    }
    if (stat.isSymbolicLink()) args.push("--symlink", fs.readlinkSync(dir), dir)
    else if (stat.isDirectory()) args.push("--ro-bind", dir, dir)
  }
  // The dynamic linker's cache and the time zone; nothing else of /etc (no passwd, no resolv.conf).
  args.push("--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache", "--ro-bind-try", "/etc/localtime", "/etc/localtime")
  return args
}

const pythonArgs = (python: string) => [python, "-I", "-B", "-c", HARNESS]

/** Where the tools are, found once. */
export interface Tools {
  readonly bwrap: string
  readonly python: string
  /** util-linux's setpriv: drops root to `uid`, and kills bwrap when Node dies. */
  readonly setpriv: string | undefined
  /** The uid the sandbox runs as when Node is root (root is exempt from RLIMIT_NPROC). */
  readonly uid: number | undefined
}

/** Options of newer bubblewraps (0.8: `--disable-userns`, `--size`) that this one has. */
interface Features {
  readonly disableUserns: boolean
  readonly size: boolean
}

const features = new Map<string, Features>()

/** What `bwrap --help` lists, asked once per executable (older distributions ship bubblewrap 0.6). */
const featuresOf = (bwrap: string): Features => {
  let found = features.get(bwrap)
  if (found === undefined) {
    const help = spawnSync(bwrap, ["--help"], { encoding: "utf8", env: launcherEnv(), timeout: 5_000 })
    const text = `${help.stdout ?? ""}${help.stderr ?? ""}`
    found = { disableUserns: text.includes("--disable-userns"), size: text.includes("--size") }
    features.set(bwrap, found)
  }
  return found
}

/** The sandboxed launch of the harness. */
export const sandboxed = (tools: Tools, limits: Limits): Launch => {
  const has = featuresOf(tools.bwrap)
  const bwrapArgs = [
    "--unshare-all",
    "--unshare-user",
    // No user namespace inside: the process limit counts per user namespace.
    ...(has.disableUserns ? ["--disable-userns"] : []),
    "--die-with-parent",
    "--new-session",
    "--hostname",
    "sandbox",
    ...systemMounts(),
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    ...(has.size ? ["--size", String(Math.floor(limits.diskBytes))] : []),
    "--tmpfs",
    WORKDIR,
    // Read-only after set-up: the root and /dev are tmpfs too, and would otherwise take writes.
    "--remount-ro",
    "/dev",
    "--remount-ro",
    "/",
    "--chdir",
    WORKDIR,
    "--clearenv",
    ...ENVIRONMENT.flatMap(([name, value]) => ["--setenv", name, value]),
    "--",
    ...pythonArgs(tools.python)
  ]
  if (tools.setpriv === undefined) return { command: tools.bwrap, args: bwrapArgs }
  const drop = tools.uid === undefined
    ? []
    : ["--reuid", String(tools.uid), "--regid", String(tools.uid), "--clear-groups"]
  return { command: tools.setpriv, args: ["--pdeathsig", "KILL", ...drop, "--", tools.bwrap, ...bwrapArgs] }
}

/**
 * The unsandboxed launch (`--unsafe-no-sandbox`): the interpreter alone, with the rlimits and an
 * empty environment; as root, still dropped to `uid`, so that the process limit holds and the
 * code cannot write what only root may.
 */
export const unsandboxed = (python: string, setpriv: string | undefined, uid: number | undefined): Launch => {
  if (setpriv === undefined) return { command: python, args: pythonArgs(python).slice(1) }
  const drop = uid === undefined ? [] : ["--reuid", String(uid), "--regid", String(uid), "--clear-groups"]
  return { command: setpriv, args: ["--pdeathsig", "KILL", ...drop, "--", ...pythonArgs(python)] }
}
