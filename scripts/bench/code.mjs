// `pnpm bench code`: what running model-written code costs. Medians of sequential runs of
//   bare python      — `python3 -I -B -c pass`, spawned from Node (the floor)
//   harness, bare    — the sandbox's harness without bubblewrap (--unsafe-no-sandbox)
//   harness, sandbox — the same program in bubblewrap: the difference is the sandbox's start cost
// then executions per second of an MBPP-sized program (a function and three asserts) at
// CODE_EXEC_CONCURRENCY (default: the number of cores).
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { spawn } from "node:child_process"
import { pathToFileURL } from "node:url"

/** The ESM entry of `effect` as the sandbox package resolves it (one instance with the sandbox's). */
const effectUrl = (root) => {
  const dir = fs.realpathSync(path.join(root, "packages/sandbox/node_modules/effect"))
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"))
  const entry = pkg.exports["."]
  const file = typeof entry === "string" ? entry : entry.import?.default ?? entry.import ?? entry.default
  return pathToFileURL(path.join(dir, file)).href
}

const spawnOnce = (command, args) =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, { stdio: "ignore", env: { PATH: "/usr/bin:/bin" } })
    child.on("error", reject)
    child.on("close", () => resolve(performance.now() - started))
  })

export const benchCode = async ({ root, median, table, repeat }) => {
  const { Effect } = await import(effectUrl(root))
  const { Sandbox } = await import(pathToFileURL(path.join(root, "packages/sandbox/dist/index.js")).href)
  const runs = Math.max(10, repeat * 10)
  const program = {
    code: "def add(a, b):\n    return a + b\n",
    tests: ["assert add(1, 2) == 3", "assert add(-1, 1) == 0", "assert add(2, 2) == 4"]
  }
  const time = async (sandbox) => {
    const times = []
    for (let i = 0; i < runs; i++) {
      const execution = await Effect.runPromise(sandbox.run(program))
      if (execution.reason !== "passed") throw new Error(`bench program did not pass: ${execution.summary}`)
      times.push(execution.durationMs)
    }
    return median(times)
  }
  const bare = []
  for (let i = 0; i < runs; i++) bare.push(await spawnOnce("/usr/bin/python3", ["-I", "-B", "-c", "pass"]))
  const python = median(bare)
  const unsafe = await time(await Effect.runPromise(Sandbox.make({ unsafeNoSandbox: true, concurrency: 1 })))
  const sandbox1 = await Effect.runPromise(Sandbox.make({ concurrency: 1 }))
  const sandboxed = await time(sandbox1)

  const concurrency = Number(process.env.CODE_EXEC_CONCURRENCY || os.availableParallelism())
  const pooled = await Effect.runPromise(Sandbox.make({ concurrency }))
  const n = Math.max(40, repeat * 20)
  const rates = []
  for (let r = 0; r < repeat; r++) {
    const started = performance.now()
    await Effect.runPromise(Effect.forEach(Array.from({ length: n }), () => pooled.run(program), { concurrency: "unbounded" }))
    rates.push(n / ((performance.now() - started) / 1000))
  }
  console.log(`\nCode execution: medians of ${runs} sequential runs (ms), then ${n} executions at concurrency ${concurrency}, median of ${repeat}`)
  console.log(table([
    ["", "ms per run", "vs bare python"],
    ["bare python (python3 -I -B -c pass)", python.toFixed(1), "1.00×"],
    ["harness, no sandbox (--unsafe-no-sandbox)", unsafe.toFixed(1), `${(unsafe / python).toFixed(2)}×`],
    ["harness in bubblewrap", sandboxed.toFixed(1), `${(sandboxed / python).toFixed(2)}×`],
    ["sandbox start cost (bubblewrap − no sandbox)", (sandboxed - unsafe).toFixed(1), ""]
  ]))
  console.log(`executions per second (function + 3 asserts, concurrency ${concurrency}): ${median(rates).toFixed(1)}`)
}
