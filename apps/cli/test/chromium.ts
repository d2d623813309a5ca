/**
 * Headless Chromium for the tests that open the CLI's HTML in a browser: Debian's `chromium`
 * package, installed with apt on first use when it is missing (a fresh CI machine has only Node
 * and npm, runs as root and reaches Debian's repositories). Never skipped: without a way to
 * install it, the tests fail with the command that would.
 */
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"

/** Where Debian's package puts the browser. */
export const CHROMIUM = "/usr/bin/chromium"

/** Flags for a quiet, sandbox-free headless run that contacts nothing by itself. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]

const INSTALL_HINT =
  "install it with: sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium (or set CHROMIUM_PATH to a Chromium or Chrome)"

/** Runs a command with its output in the test log, failing on a non-zero exit. */
const run = (command: string, args: ReadonlyArray<string>) =>
  new Promise<void>((resolve, reject) => {
    console.log(`[chromium set-up] $ ${command} ${args.join(" ")}`)
    const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } })
    child.on("error", reject)
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`'${command} ${args.join(" ")}' exited with ${code}; ${INSTALL_HINT}`))
    )
  })

const canSudo = () => spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0

/** A Chromium or Chrome already on the machine: CHROMIUM_PATH, else the usual names on PATH. */
const existing = (): string | undefined => {
  const given = process.env["CHROMIUM_PATH"]
  if (given !== undefined && given !== "") {
    if (!fs.existsSync(given)) throw new Error(`CHROMIUM_PATH is ${given}, which does not exist; point it at a Chromium or Chrome executable`)
    return given
  }
  if (fs.existsSync(CHROMIUM)) return CHROMIUM
  for (const name of ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]) {
    for (const dir of (process.env["PATH"] ?? "").split(path.delimiter)) {
      const candidate = path.join(dir, name)
      if (dir !== "" && fs.existsSync(candidate)) return candidate
    }
  }
  return undefined
}

/**
 * The path of Chromium: CHROMIUM_PATH, or one already installed, or else Debian's package,
 * installed first.
 */
export const ensureChromium = async (): Promise<string> => {
  const found = existing()
  if (found !== undefined) return found
  if (!fs.existsSync("/usr/bin/apt-get")) {
    throw new Error(`Chromium is not installed (${CHROMIUM}) and this machine has no apt-get; install Chromium so that ${CHROMIUM} exists`)
  }
  const root = process.getuid?.() === 0
  if (!root && !canSudo()) {
    throw new Error(`Chromium is not installed (${CHROMIUM}) and the tests are neither root nor allowed to sudo without a password; ${INSTALL_HINT}`)
  }
  // As root apt-get runs as it is; otherwise through sudo, which takes the variable as an argument.
  const apt = (...args: Array<string>) =>
    root ? run("apt-get", args) : run("sudo", ["-n", "DEBIAN_FRONTEND=noninteractive", "apt-get", ...args])
  const started = Date.now()
  console.log(`[chromium set-up] ${CHROMIUM} is missing: installing Debian's chromium package`)
  await apt("update")
  // Wait for another apt (e.g. unattended upgrades) instead of failing on its lock.
  await apt("install", "-y", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=600", "chromium")
  if (!fs.existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} does not exist; ${INSTALL_HINT}`)
  console.log(`[chromium set-up] installed in ${((Date.now() - started) / 1000).toFixed(0)} s`)
  return CHROMIUM
}
