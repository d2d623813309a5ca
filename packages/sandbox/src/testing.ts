/**
 * @ml-agents/sandbox/testing: what a test set-up needs to run the sandbox for real on a fresh
 * machine. `ensureTools` installs Debian's `bubblewrap` and `python3` with apt-get when they are
 * missing (as root, or through passwordless sudo), the way the CLI's tests install Chromium.
 * Never skipped: without a way to install them, it fails with the command that would.
 */
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"

const PACKAGES: ReadonlyArray<readonly [file: string, pkg: string]> = [
  ["/usr/bin/bwrap", "bubblewrap"],
  ["/usr/bin/python3", "python3"]
]

const hint = (packages: ReadonlyArray<string>) =>
  `install them with: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages.join(" ")}`

const run = (command: string, args: ReadonlyArray<string>, packages: ReadonlyArray<string>) =>
  new Promise<void>((resolve, reject) => {
    console.log(`[sandbox set-up] $ ${command} ${args.join(" ")}`)
    const child = spawn(command, args, {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }
    })
    child.on("error", reject)
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`'${command} ${args.join(" ")}' exited with ${code}; ${hint(packages)}`))
    )
  })

let pending: Promise<void> | undefined

/** Installs bubblewrap and python3 with apt-get unless both are already there. */
export const ensureTools = (): Promise<void> => (pending ??= install())

const install = async (): Promise<void> => {
  const missing = PACKAGES.filter(([file]) => !fs.existsSync(file)).map(([, pkg]) => pkg)
  if (missing.length === 0) return
  if (!fs.existsSync("/usr/bin/apt-get")) {
    throw new Error(`${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} not installed and this machine has no apt-get; install ${missing.join(" ")}`)
  }
  const root = process.getuid?.() === 0
  if (!root && spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status !== 0) {
    throw new Error(`${missing.join(" and ")} missing and the tests are neither root nor allowed to sudo without a password; ${hint(missing)}`)
  }
  const apt = (...args: Array<string>) =>
    root ? run("apt-get", args, missing) : run("sudo", ["-n", "DEBIAN_FRONTEND=noninteractive", "apt-get", ...args], missing)
  await apt("update")
  // Wait for another apt (the Chromium set-up of another test file, say) instead of failing on its lock.
  await apt("install", "-y", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=600", ...missing)
  const still = PACKAGES.filter(([file]) => !fs.existsSync(file)).map(([file]) => file)
  if (still.length > 0) throw new Error(`apt-get ran but ${still.join(", ")} still missing; ${hint(missing)}`)
}
