#!/usr/bin/env node
// `pnpm bench`: figures that must not live in tests. Starts the OpenRouter simulator (a separate
// process on 127.0.0.1) and measures the built CLI, printing medians over repeated runs:
//   agents   — each built-in agent on the bundled samples: calls, tokens, wall time per question, accuracy
//   overhead — N questions at latency L and concurrency C, against a bare fetch pool (the floor)
//   scale    — import and run of a 50,000-question benchmark: time and peak RSS
//   startup  — `ml-agents --help` cold start
//   code     — model-written code in the sandbox: start cost per execution, executions per second
//   grading  — the graders against the hand-labelled table (scripts/bench/grading.mjs), no simulator
//   postgres — the same run (N questions, L = 50 ms, C = 64) on SQLite and on PostgreSQL: the ratio
//   experiment — a 12-cell grid of 1,000 questions each against one 12,000-question evaluation and
//              the bare-fetch floor, at the same concurrency: wall time and peak RSS
//   workers — 1, 2 and 4 `ml-agents worker` processes (C = 16 each) on one queued PostgreSQL-backed
//              evaluation of 2,000 questions at L = 500 ms: wall time and throughput against the ideal
// Usage: node scripts/bench/run.mjs [section ...] [--repeat R] [--n N] [--c C,C,...] [--v8-default-heap]
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const cli = path.join(root, "apps/cli/dist/bin.js")
const simBin = path.join(root, "packages/simulator/dist/bin.js")
const samples = path.join(root, "apps/cli/benchmarks")
const KEY = "sk-sim-bench"

const args = process.argv.slice(2)
const flag = (name, fallback) => {
  const i = args.indexOf(name)
  return i >= 0 ? Number(args[i + 1]) : fallback
}
const repeat = flag("--repeat", 3)
// Flags that take a value (the word after them is no section); the others stand alone.
const VALUE_FLAGS = new Set(["--repeat", "--n", "--c", "--cell-n", "--models", "--workers-n"])
const sections = args.filter((a, i) => !a.startsWith("--") && !(i > 0 && VALUE_FLAGS.has(args[i - 1])))
const wanted = (s) => sections.length === 0 || sections.includes(s)

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const table = (rows) => {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)))
  return rows.map((r, ri) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ") + (ri === 0 ? "\n" + widths.map((w) => "-".repeat(w)).join("  ") : "")).join("\n")
}

if (sections.length > 0 && sections.every((s) => s === "grading")) {
  await import("./grading.mjs")
  process.exit(0)
}
if (wanted("grading")) await import("./grading.mjs")

for (const file of [cli, simBin]) {
  if (!fs.existsSync(file)) {
    console.error(`${path.relative(root, file)} is missing: run pnpm build first`)
    process.exit(1)
  }
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "ml-agents-bench-"))
process.on("exit", () => fs.rmSync(work, { recursive: true, force: true }))

/** Starts a simulator process; resolves with its URL and a stop function. */
const simulator = async (flags) => {
  const child = spawn(process.execPath, [simBin, "--port", "0", "--key", KEY, ...flags], { stdio: ["ignore", "pipe", "inherit"] })
  const url = await new Promise((resolve, reject) => {
    let buffer = ""
    child.stdout.on("data", (chunk) => {
      buffer += chunk
      const m = /listening on (\S+)/.exec(buffer)
      if (m) resolve(m[1])
    })
    child.on("exit", (code) => reject(new Error(`simulator exited with ${code}`)))
  })
  const control = (p, body) =>
    fetch(url.replace(/\/api\/v1$/, "") + p, { method: body ? "POST" : "GET", body: body && JSON.stringify(body) }).then((r) => r.json())
  return { url, control, stop: () => child.kill() }
}

// `--v8-default-heap`: run the CLI with V8's own heap growth (bin.ts sets 1.5×), to compare peak RSS and CPU.
const nodeFlags = args.includes("--v8-default-heap") ? ["--heap-growing-percent=0"] : []

const timed = fs.existsSync("/usr/bin/time")
/** Peak RSS (MB) and CPU seconds (user + system) from /usr/bin/time's line, when it ran. */
const usage = (stderr) => {
  const m = /__RSS_KB=(\d+) __CPU=([\d.]+)\+([\d.]+)/.exec(stderr)
  return m ? { rssMb: Number(m[1]) / 1024, cpuS: Number(m[2]) + Number(m[3]) } : { rssMb: undefined, cpuS: undefined }
}
const TIME_FORMAT = "__RSS_KB=%M __CPU=%U+%S"

/** Unix time in ms from the high-resolution clock: comparable with the simulator's chatWindow. */
const unixMs = () => performance.timeOrigin + performance.now()

/**
 * Runs the CLI (asynchronously, timing it); returns stdout, elapsed ms, its start and end in
 * unixMs, and peak RSS and CPU when measurable.
 */
const ml = (env, argv, { rss = false } = {}) =>
  new Promise((resolve) => {
    const startedAt = unixMs()
    const started = performance.now()
    rss = rss && timed
    const command = rss ? "/usr/bin/time" : process.execPath
    const full = rss ? ["-f", TIME_FORMAT, process.execPath, ...nodeFlags, cli, ...argv] : [...nodeFlags, cli, ...argv]
    const child = spawn(command, full, { env: { ...process.env, ...env }, cwd: work, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (c) => (stdout += c))
    child.stderr.on("data", (c) => (stderr += c))
    child.on("close", (code) => {
      const ms = performance.now() - started
      const endedAt = unixMs()
      if (code !== 0) {
        console.error(`ml-agents ${argv.join(" ")} exited with ${code}\n${stderr}`)
        process.exit(1)
      }
      resolve({ stdout, ms, startedAt, endedAt, ...usage(stderr) })
    })
  })

const envFor = (url, db) => ({
  OPENROUTER_BASE_URL: url,
  OPENROUTER_API_KEY: KEY,
  DATABASE_URL: `sqlite:///${db}`,
  XDG_CACHE_HOME: path.join(work, "cache"),
  NO_COLOR: "1",
  LOG_LEVEL: "ERROR"
})
const idOf = (stdout) => /evaluate run (eval_[a-z0-9]+)/.exec(stdout)[1]

// The CLI's own dev dependency gives us a reader for the database.
const { default: Database } = await import(path.join(root, "apps/cli/node_modules/better-sqlite3/lib/index.js"))

if (wanted("agents")) {
  const sim = await simulator(["--latency-ms", "50", "--accuracy", "0.7", ...fs.readdirSync(samples).filter((f) => f.endsWith(".csv")).flatMap((f) => ["--benchmark", path.join(samples, f)])])
  const db = path.join(work, "agents.db")
  const env = envFor(sim.url, db)
  const names = ["SAMPLE_MC", "SAMPLE_MATH", "SAMPLE_LOGIC", "SAMPLE_QA"]
  for (const name of names) await ml(env, ["benchmark", "import", name])
  const rows = [["agent", "questions", "calls/q", "tokens/q", "wall/q median", "accuracy"]]
  for (const agent of ["none", "cot", "tot"]) {
    const ids = []
    for (const name of names) {
      const id = idOf((await ml(env, ["evaluate", "create", "--agent", agent, "--model", "openai/gpt-4o-mini", "--benchmark", name])).stdout)
      await ml(env, ["evaluate", "run", id, "--concurrency", "4", "--quiet"])
      ids.push(id)
    }
    const conn = new Database(db, { readonly: true })
    const results = conn.prepare(`select llm_calls, total_tokens, execution_time_ms, is_correct from evaluation_question_results where evaluation_id in (${ids.map(() => "?").join(",")})`).all(...ids)
    conn.close()
    const n = results.length
    rows.push([
      agent,
      n,
      (results.reduce((s, r) => s + r.llm_calls, 0) / n).toFixed(1),
      Math.round(results.reduce((s, r) => s + r.total_tokens, 0) / n),
      `${Math.round(median(results.map((r) => r.execution_time_ms)))} ms`,
      `${((100 * results.reduce((s, r) => s + r.is_correct, 0)) / n).toFixed(1)}%`
    ])
  }
  sim.stop()
  console.log("\nAgents on the bundled samples (70 questions; simulator: 50 ms latency, 70% accuracy, model openai/gpt-4o-mini, concurrency 4)\n")
  console.log(table(rows))
}

if (wanted("overhead")) {
  const n = flag("--n", 1000)
  const latency = 50
  const sim = await simulator(["--latency-ms", String(latency), "--accuracy", "0.7"])
  const questions = Array.from({ length: n }, (_, i) => `Benchmark question ${i}: what is ${i} plus ${i}?`)
  const csv = path.join(work, "overhead.csv")
  fs.writeFileSync(csv, "INPUT,OUTPUT\n" + questions.map((q, i) => `"${q}",${2 * i}`).join("\n") + "\n")
  const qfile = path.join(work, "overhead.json")
  fs.writeFileSync(qfile, JSON.stringify(questions))
  await sim.control("/__sim/config", { questions: questions.map((q, i) => ({ question: q, answer: String(2 * i) })) })
  const db = path.join(work, "overhead.db")
  const env = envFor(sim.url, db)
  await ml(env, ["benchmark", "import", csv, "--name", "OVERHEAD"])
  const rows = [["C", "ours (median)", "floor (median)", "floor's loop alone", "ideal N·L/C", "efficiency", "ours / floor", "CPU/q ours", "CPU/q floor"]]
  // Where each process's time goes, from the simulator's clock: its start (spawn to the first
  // request), its requests (first request to the end of the last reply) and its finish (from
  // there to its exit).
  const phaseRows = [["C", "start: ours", "floor", "requests: ours", "floor", "finish: ours", "floor"]]
  const phasesOf = async (startedAt, endedAt) => {
    const { chatWindow: { first, last } } = await sim.control("/__sim/stats")
    return { start: first - startedAt, requests: last - first, finish: endedAt - last }
  }
  const cpuPerQuestion = (xs) => (xs.some((x) => x === undefined) ? "n/a" : `${((1000 * median(xs)) / n).toFixed(2)} ms`)
  const i = args.indexOf("--c")
  const concurrencies = i >= 0 ? args[i + 1].split(",").map(Number) : [1, 16, 64, 256]
  for (const c of concurrencies) {
    const ours = []
    const floor = []
    const floorLoop = []
    const oursCpu = []
    const floorCpu = []
    const oursPhases = []
    const floorPhases = []
    for (let r = 0; r < repeat; r++) {
      const id = idOf((await ml(env, ["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "OVERHEAD"])).stdout)
      await sim.control("/__sim/reset", {})
      const run = await ml(env, ["evaluate", "run", id, "--concurrency", String(c), "--quiet"], { rss: true })
      ours.push(run.ms)
      oursCpu.push(run.cpuS)
      oursPhases.push(await phasesOf(run.startedAt, run.endedAt))
      // The floor is timed as a whole process too (Node's start included), as ours is.
      const floorArgs = [path.join(root, "scripts/bench/floor.mjs"), sim.url, KEY, String(c), qfile]
      await sim.control("/__sim/reset", {})
      const f0 = performance.now()
      const floorStartedAt = unixMs()
      const f = timed
        ? spawnSync("/usr/bin/time", ["-f", TIME_FORMAT, process.execPath, ...floorArgs], { encoding: "utf8" })
        : spawnSync(process.execPath, floorArgs, { encoding: "utf8" })
      floor.push(performance.now() - f0)
      floorPhases.push(await phasesOf(floorStartedAt, unixMs()))
      floorLoop.push(Number(f.stdout.trim()))
      floorCpu.push(usage(f.stderr).cpuS)
    }
    const ideal = (n * latency) / c
    const o = median(ours)
    const fl = median(floor)
    // Each of our runs is paired with the floor run made right after it: on a shared machine the
    // two see the same load, so the ratio within a pair is steadier than a ratio of medians.
    const ratios = ours.map((x, k) => x / floor[k])
    const ratio = `${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`
    rows.push([c, `${(o / 1000).toFixed(2)} s`, `${(fl / 1000).toFixed(2)} s`, `${(median(floorLoop) / 1000).toFixed(2)} s`, `${(ideal / 1000).toFixed(2)} s`, `${((100 * ideal) / o).toFixed(0)}%`, ratio, cpuPerQuestion(oursCpu), cpuPerQuestion(floorCpu)])
    const ms = (xs, k) => `${median(xs.map((x) => x[k])).toFixed(0)} ms`
    phaseRows.push([c, ms(oursPhases, "start"), ms(floorPhases, "start"), ms(oursPhases, "requests"), ms(floorPhases, "requests"), ms(oursPhases, "finish"), ms(floorPhases, "finish")])
  }
  sim.stop()
  console.log(`\nHarness overhead: N = ${n} questions, L = ${latency} ms, none agent; ours is the whole \`evaluate run\` process and the floor the whole floor.mjs process (each with its start); ${repeat} runs each, ours and the floor's back to back. ours / floor: the median of the ratios of those pairs (lowest–highest in brackets). CPU/q: the process's user + system CPU time per question, its start included; the simulator's is not counted\n`)
  console.log(table(rows))
  console.log(`\nWhere the time goes (medians of the same runs, timed by the simulator): start is from the process's spawn to its first request (Node's start, loading the program, opening the database, and for ours the CLI, the run's set-up and the first calls' preparation); requests is from the first request to the end of the last reply; finish is from there to the process's exit (for ours, the last results' commit, the evaluation's summary and closing the database)\n`)
  console.log(table(phaseRows))
}

if (wanted("scale")) {
  const n = 50_000
  const sim = await simulator(["--latency-ms", "0", "--accuracy", "0.7"])
  const csv = path.join(work, "scale.csv")
  const lines = ["ID,INPUT,OUTPUT,category"]
  for (let i = 0; i < n; i++) lines.push(`q${i},"Scale question ${i}: what is ${i} times 3? Options follow, ""quoted"", with commas, and more text to make it realistic.",${3 * i},cat${i % 7}`)
  fs.writeFileSync(csv, lines.join("\n") + "\n")
  const db = path.join(work, "scale.db")
  const env = envFor(sim.url, db)
  const imported = await ml(env, ["benchmark", "import", csv, "--name", "SCALE"], { rss: true })
  const id = idOf((await ml(env, ["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "SCALE"])).stdout)
  const ran = await ml(env, ["evaluate", "run", id, "--concurrency", "64", "--quiet"], { rss: true })
  const shown = await ml(env, ["evaluate", "show", id, "--limit", "50", "--offset", "49000"])
  const listed = await ml(env, ["evaluate", "list"])
  sim.stop()
  console.log(`\nScale: ${n.toLocaleString("en-US")} questions (${(fs.statSync(csv).size / 1e6).toFixed(1)} MB CSV)\n`)
  console.log(table([
    ["step", "time", "peak RSS"],
    ["benchmark import", `${(imported.ms / 1000).toFixed(2)} s`, imported.rssMb === undefined ? "n/a (no /usr/bin/time)" : `${imported.rssMb.toFixed(0)} MB`],
    ["evaluate run (C=64, 0 ms latency)", `${(ran.ms / 1000).toFixed(2)} s`, ran.rssMb === undefined ? "n/a" : `${ran.rssMb.toFixed(0)} MB`],
    ["evaluate show --offset 49000", `${(shown.ms / 1000).toFixed(2)} s`, ""],
    ["evaluate list", `${(listed.ms / 1000).toFixed(2)} s`, ""]
  ]))
}

if (wanted("postgres")) {
  // The server of the PostgreSQL tests (ML_AGENTS_TEST_POSTGRES_URL); a database of its own, dropped after.
  const { TestDatabase } = await import(path.join(root, "packages/storage-postgres/dist/testing.js"))
  if (!(await TestDatabase.available("PostgreSQL bench"))) {
    console.log("\nPostgreSQL: skipped (no server; see the line above)")
  } else {
    const n = flag("--n", 1000)
    const latency = 50
    const c = 64
    const database = await TestDatabase.create("mla_bench")
    try {
      const sim = await simulator(["--latency-ms", String(latency), "--accuracy", "0.7"])
      const questions = Array.from({ length: n }, (_, i) => `Benchmark question ${i}: what is ${i} plus ${i}?`)
      const csv = path.join(work, "postgres.csv")
      fs.writeFileSync(csv, "INPUT,OUTPUT\n" + questions.map((q, i) => `"${q}",${2 * i}`).join("\n") + "\n")
      await sim.control("/__sim/config", { questions: questions.map((q, i) => ({ question: q, answer: String(2 * i) })) })
      const sqliteEnv = envFor(sim.url, path.join(work, "postgres-vs.db"))
      const pgEnv = { ...sqliteEnv, DATABASE_URL: database.url }
      for (const env of [sqliteEnv, pgEnv]) await ml(env, ["benchmark", "import", csv, "--name", "PG_BENCH"])
      const once = async (env) => {
        const id = idOf((await ml(env, ["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "PG_BENCH"])).stdout)
        await sim.control("/__sim/reset", {})
        return ml(env, ["evaluate", "run", id, "--concurrency", String(c), "--quiet"], { rss: true })
      }
      const sqlite = []
      const pg = []
      for (let r = 0; r < repeat; r++) {
        // Back to back, so that each pair sees the same load on a shared machine.
        sqlite.push(await once(sqliteEnv))
        pg.push(await once(pgEnv))
      }
      sim.stop()
      const ratios = pg.map((x, k) => x.ms / sqlite[k].ms)
      const cpu = (xs) => (xs.some((x) => x.cpuS === undefined) ? "n/a" : `${((1000 * median(xs.map((x) => x.cpuS))) / n).toFixed(2)} ms`)
      const rss = (xs) => (xs.some((x) => x.rssMb === undefined) ? "n/a" : `${median(xs.map((x) => x.rssMb)).toFixed(0)} MB`)
      console.log(`\nPostgreSQL against SQLite: the same \`evaluate run\` process, N = ${n} questions, L = ${latency} ms, C = ${c}, none agent, ${repeat} runs each, back to back (PostgreSQL ${database.url.replace(/\/\/[^@]*@/, "//")}). PG / SQLite: the median of the pairs' ratios (lowest–highest)\n`)
      console.log(table([
        ["storage", "wall (median)", "ideal N·L/C", "CPU/q", "peak RSS"],
        ["SQLite", `${(median(sqlite.map((x) => x.ms)) / 1000).toFixed(2)} s`, `${((n * latency) / c / 1000).toFixed(2)} s`, cpu(sqlite), rss(sqlite)],
        ["PostgreSQL", `${(median(pg.map((x) => x.ms)) / 1000).toFixed(2)} s`, `${((n * latency) / c / 1000).toFixed(2)} s`, cpu(pg), rss(pg)]
      ]))
      console.log(`\nPG / SQLite: ${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`)
    } finally {
      await database.drop()
    }
  }
}

if (wanted("workers")) {
  const { TestDatabase } = await import(path.join(root, "packages/storage-postgres/dist/testing.js"))
  if (!(await TestDatabase.available("workers bench"))) {
    console.log("\nworkers: skipped (no server; see the line above)")
  } else {
    const n = flag("--workers-n", 2000)
    const latency = 500
    const c = 16
    const sim = await simulator(["--latency-ms", String(latency), "--accuracy", "0.7"])
    const questions = Array.from({ length: n }, (_, i) => `Worker question ${i}: what is ${i} plus ${i}?`)
    const csv = path.join(work, "workers.csv")
    fs.writeFileSync(csv, "INPUT,OUTPUT\n" + questions.map((q, i) => `"${q}",${2 * i}`).join("\n") + "\n")
    await sim.control("/__sim/config", { questions: questions.map((q, i) => ({ question: q, answer: String(2 * i) })) })
    const rows = [["workers", "wall (median)", "ideal N·L/(W·C)", "throughput", "ideal W·C/L", "of ideal"]]
    for (const w of [1, 2, 4]) {
      const walls = []
      for (let r = 0; r < repeat; r++) {
        // A database of its own per run: the queue starts with exactly this evaluation.
        const database = await TestDatabase.create("mla_bench_workers")
        try {
          const env = { ...envFor(sim.url, ""), DATABASE_URL: database.url }
          await ml(env, ["benchmark", "import", csv, "--name", "WORKERS"])
          const id = idOf((await ml(env, ["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "WORKERS"])).stdout)
          await ml(env, ["evaluate", "run", id, "--queue"])
          await sim.control("/__sim/reset", {})
          // Wall time: from starting the workers to the last one leaving an empty queue.
          const started = performance.now()
          // (ml stops the bench when a worker exits non-zero.)
          await Promise.all(Array.from({ length: w }, () => ml(env, ["worker", "--until-idle", "--concurrency", String(c), "--quiet"])))
          walls.push(performance.now() - started)
        } finally {
          await database.drop()
        }
      }
      const wall = median(walls) / 1000
      const ideal = (n * latency) / (w * c) / 1000
      const throughput = n / wall
      const idealThroughput = (w * c) / (latency / 1000)
      rows.push([String(w), `${wall.toFixed(2)} s`, `${ideal.toFixed(2)} s`, `${throughput.toFixed(1)} q/s`, `${idealThroughput.toFixed(0)} q/s`, `${((100 * throughput) / idealThroughput).toFixed(0)}%`])
    }
    sim.stop()
    console.log(`\nWorkers on one queued PostgreSQL evaluation: N = ${n} questions, L = ${latency} ms, C = ${c} per worker, none agent, ${repeat} runs each (wall: worker start to the last exit, process start-up included)\n`)
    console.log(table(rows))
  }
}

if (wanted("experiment")) {
  const perCell = flag("--cell-n", 1000)
  const c = 64
  const latency = 50
  const sim = await simulator(["--latency-ms", String(latency), "--accuracy", "0.7"])
  // Three benchmarks of `perCell` questions for the grid, one of 12 × perCell for the single evaluation.
  const benchmarkNames = ["EXP_A", "EXP_B", "EXP_C"]
  const pairs = []
  const write = (name, count) => {
    const qs = Array.from({ length: count }, (_, i) => ({ question: `${name} question ${i}: what is ${i} plus ${i}?`, answer: String(2 * i) }))
    pairs.push(...qs)
    const csv = path.join(work, `${name}.csv`)
    fs.writeFileSync(csv, "INPUT,OUTPUT,category\n" + qs.map((q, i) => `"${q.question}",${q.answer},c${i % 5}`).join("\n") + "\n")
    return { csv, qs }
  }
  const files = benchmarkNames.map((b) => write(b, perCell).csv)
  const single = write("EXP_SINGLE", 12 * perCell)
  await sim.control("/__sim/config", { questions: pairs })
  const qfile = path.join(work, "experiment-floor.json")
  fs.writeFileSync(qfile, JSON.stringify(single.qs.map((q) => q.question)))
  const db = path.join(work, "experiment.db")
  const env = envFor(sim.url, db)
  for (const [i, csv] of [...files, single.csv].entries()) {
    await ml(env, ["benchmark", "import", csv, "--name", [...benchmarkNames, "EXP_SINGLE"][i]])
  }
  // 2 agent entries (the none agent twice, at two temperatures: the same work per question as the
  // single evaluation's) × 2 models × 3 benchmarks = 12 cells.
  const grid = path.join(work, "grid.yaml")
  // `--models 1`: the same 12 cells on one model (4 agent entries), to see what a second model costs.
  const oneModel = flag("--models", 2) === 1
  fs.writeFileSync(grid, [
    "agents:",
    "  - none",
    "  - agent: none",
    "    params: { temperature: 0.5 }",
    ...(oneModel ? ["  - agent: none", "    params: { temperature: 0.3 }", "  - agent: none", "    params: { temperature: 0.7 }"] : []),
    oneModel ? "models: [openai/gpt-4o-mini]" : "models: [openai/gpt-4o-mini, anthropic/claude-3.5-haiku]",
    `benchmarks: [${benchmarkNames.join(", ")}]`
  ].join("\n") + "\n")
  const grids = []
  const singles = []
  const floors = []
  const gridRss = []
  const singleRss = []
  const gridCpu = []
  const singleCpu = []
  for (let r = 0; r < repeat; r++) {
    const created = await ml(env, ["experiment", "create", "-f", grid])
    const expId = /experiment run (exp_[a-z0-9]+)/.exec(created.stdout)[1]
    await sim.control("/__sim/reset", {})
    const g = await ml(env, ["experiment", "run", expId, "--concurrency", String(c), "--quiet"], { rss: true })
    grids.push(g.ms)
    gridRss.push(g.rssMb)
    gridCpu.push(g.cpuS)
    const id = idOf((await ml(env, ["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "EXP_SINGLE"])).stdout)
    await sim.control("/__sim/reset", {})
    const s1 = await ml(env, ["evaluate", "run", id, "--concurrency", String(c), "--quiet"], { rss: true })
    singles.push(s1.ms)
    singleRss.push(s1.rssMb)
    singleCpu.push(s1.cpuS)
    await sim.control("/__sim/reset", {})
    const f0 = performance.now()
    spawnSync(process.execPath, [path.join(root, "scripts/bench/floor.mjs"), sim.url, KEY, String(c), qfile], { encoding: "utf8" })
    floors.push(performance.now() - f0)
  }
  sim.stop()
  const ratios = grids.map((x, k) => x / singles[k])
  const range = (xs) => `${median(xs).toFixed(2)}× (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`
  const mb = (xs) => (xs.some((x) => x === undefined) ? "n/a (no /usr/bin/time)" : `${Math.max(...xs).toFixed(0)} MB`)
  const cpu = (xs) => (xs.some((x) => x === undefined) ? "n/a" : `${((1000 * median(xs)) / (12 * perCell)).toFixed(2)} ms`)
  console.log(`\nExperiment: a 12-cell grid (2 agent entries × 2 models × 3 benchmarks) of ${perCell.toLocaleString("en-US")} questions each, against one evaluation of ${(12 * perCell).toLocaleString("en-US")} questions and the bare-fetch floor on the same questions; C = ${c}, L = ${latency} ms; ${repeat} runs each, back to back; wall time of the whole process; peak RSS the highest of the runs${nodeFlags.length > 0 ? "; with V8's default heap growth (--v8-default-heap)" : ""}\n`)
  console.log(table([
    ["run", "wall (median)", "/ single evaluation", "/ floor", "peak RSS", "CPU/q"],
    ["experiment run (12 cells)", `${(median(grids) / 1000).toFixed(2)} s`, range(ratios), range(grids.map((x, k) => x / floors[k])), mb(gridRss), cpu(gridCpu)],
    [`evaluate run (1 × ${(12 * perCell).toLocaleString("en-US")})`, `${(median(singles) / 1000).toFixed(2)} s`, "1.00×", range(singles.map((x, k) => x / floors[k])), mb(singleRss), cpu(singleCpu)],
    ["floor.mjs (bare fetch)", `${(median(floors) / 1000).toFixed(2)} s`, "", "1.00×", "", ""]
  ]))
}

if (wanted("startup")) {
  const times = []
  for (let i = 0; i < 10; i++) times.push((await ml({}, ["--help"])).ms)
  console.log(`\nStartup: \`ml-agents --help\`, median of 10: ${Math.round(median(times))} ms (min ${Math.round(Math.min(...times))} ms)`)
}

if (wanted("code")) {
  const { benchCode } = await import("./code.mjs")
  await benchCode({ root, median, table, repeat })
}
