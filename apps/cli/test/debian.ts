/**
 * Debian packages a test needs (zsh, fish for the completion tests), installed with apt-get on
 * first use when missing, as the report test installs Chromium (see chromium.ts): a fresh CI
 * machine runs as root and reaches Debian's repositories. Never skipped: without a way to install,
 * the test fails with the command that would.
 */
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"

const run = (command: string, args: ReadonlyArray<string>, hint: string) =>
  new Promise<void>((resolve, reject) => {
    console.log(`[debian set-up] $ ${command} ${args.join(" ")}`)
    const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } })
    child.on("error", reject)
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`'${command} ${args.join(" ")}' exited with ${code}; ${hint}`))))
  })

/** Installs the Debian packages whose executables are missing; returns when every executable exists. */
export const ensureExecutables = async (wanted: Readonly<Record<string, string>>): Promise<void> => {
  const missing = Object.entries(wanted).filter(([executable]) => !fs.existsSync(executable))
  if (missing.length === 0) return
  const packages = missing.map(([, pkg]) => pkg)
  const hint = `install them with: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages.join(" ")}`
  if (!fs.existsSync("/usr/bin/apt-get")) throw new Error(`${missing.map(([e]) => e).join(", ")} missing and this machine has no apt-get; ${hint}`)
  const root = process.getuid?.() === 0
  const canSudo = !root && spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0
  if (!root && !canSudo) throw new Error(`${missing.map(([e]) => e).join(", ")} missing, and the tests are neither root nor allowed to sudo; ${hint}`)
  const apt = (...args: Array<string>) =>
    root ? run("apt-get", args, hint) : run("sudo", ["-n", "DEBIAN_FRONTEND=noninteractive", "apt-get", ...args], hint)
  await apt("update")
  // Wait for another apt (unattended upgrades, the Chromium install of another test file) instead of failing on its lock.
  await apt("install", "-y", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=600", ...packages)
  for (const [executable, pkg] of missing) {
    if (!fs.existsSync(executable)) throw new Error(`apt-get installed ${pkg} but ${executable} does not exist; ${hint}`)
  }
}
