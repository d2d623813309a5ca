#!/usr/bin/env node
// The offline quick start: starts the OpenRouter simulator on 127.0.0.1, then runs the real
// `ml-agents` CLI against it on a bundled sample benchmark, on a fresh SQLite file in .demo/.
// Nothing here talks to the internet. Usage: node scripts/demo.mjs [SAMPLE_NAME] [agent]
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const cli = path.join(root, "apps/cli/dist/bin.js")
const simBin = path.join(root, "packages/simulator/dist/bin.js")
const samples = path.join(root, "apps/cli/benchmarks")
const benchmark = process.argv[2] ?? "SAMPLE_MC"
const agent = process.argv[3] ?? "none"
const model = "openai/gpt-4o-mini"

for (const file of [cli, simBin]) {
  if (!fs.existsSync(file)) {
    console.error(`✗ ${path.relative(root, file)} is missing: build first (pnpm build)`)
    process.exit(1)
  }
}

const demoDir = path.join(root, ".demo")
fs.rmSync(demoDir, { recursive: true, force: true })
fs.mkdirSync(demoDir, { recursive: true })

const sampleFiles = fs.readdirSync(samples).filter((f) => f.endsWith(".csv")).map((f) => path.join(samples, f))
const sim = spawn(
  process.execPath,
  [simBin, "--port", "0", "--latency-ms", "40", "--jitter-ms", "40", "--accuracy", "0.75", ...sampleFiles.flatMap((f) => ["--benchmark", f])],
  { stdio: ["ignore", "pipe", "inherit"] }
)
const url = await new Promise((resolve, reject) => {
  let buffer = ""
  sim.stdout.on("data", (chunk) => {
    buffer += chunk
    const m = /listening on (\S+)/.exec(buffer)
    if (m) resolve(m[1])
  })
  sim.on("exit", (code) => reject(new Error(`simulator exited with ${code}`)))
})
console.log(`Simulator (stands in for OpenRouter) listening on ${url}\n`)

const env = {
  ...process.env,
  OPENROUTER_BASE_URL: url,
  OPENROUTER_API_KEY: "sk-sim-local",
  DATABASE_URL: `sqlite:///${path.join(demoDir, "demo.db")}`,
  XDG_CACHE_HOME: path.join(demoDir, "cache")
}

const run = (args, { capture = false } = {}) => {
  console.log(`\x1b[2m$ ml-agents ${args.join(" ")}\x1b[0m`)
  const result = spawnSync(process.execPath, [cli, ...args], {
    env,
    cwd: demoDir,
    stdio: capture ? ["ignore", "pipe", "inherit"] : "inherit",
    encoding: "utf8"
  })
  if (capture) process.stdout.write(result.stdout)
  console.log()
  if (result.status !== 0) {
    sim.kill()
    console.error(`✗ ml-agents ${args.join(" ")} exited with ${result.status}`)
    process.exit(result.status ?? 1)
  }
  return result.stdout
}

try {
  run(["health"])
  run(["benchmark", "import", benchmark])
  const created = run(["evaluate", "create", "--agent", agent, "--model", model, "--benchmark", benchmark], { capture: true })
  const id = /evaluate run (eval_[a-z0-9]+)/.exec(created)?.[1]
  if (!id) throw new Error("no evaluation id in the output of evaluate create")
  run(["evaluate", "run", id, "--concurrency", "4"])
  run(["evaluate", "show", id, "--limit", "10"])
  run(["evaluate", "list"])
  run(["report", id, "-o", "report.html"])
  console.log(`Demo database: ${path.relative(process.cwd(), path.join(demoDir, "demo.db"))}`)
  console.log(`Report (open it in a browser): ${path.relative(process.cwd(), path.join(demoDir, "report.html"))}`)
} finally {
  sim.kill()
}
