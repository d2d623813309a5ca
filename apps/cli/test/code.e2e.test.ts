/**
 * Code benchmarks end to end, through the built CLI against the simulator with scripted replies:
 * the import detects the `code` kind and checks the reference solutions in the sandbox (a failing
 * one blocks the import); a real `evaluate run` grades correct, wrong and hostile programs (an
 * infinite loop, a fork bomb, a 2 GB allocation, a 100 MB print, a write outside the sandbox, a
 * read of the API key, a connection to a listener on 127.0.0.1), stores each with its reason and
 * goes on; the machine is unharmed; `evaluate show --question` names the failing assert. pass@k
 * comes from repeats, or from one evaluation of an agent that draws k samples (the example
 * self-consistency plugin), each sample run against the tests on its own.
 */
import { ensureTools } from "@ml-agents/sandbox/testing"
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createdId, KEY, rows, run, type Workspace, workspace } from "./support.js"

const example = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../examples/agent-self-consistency")
const PLUGIN = "ml-agents-agent-self-consistency"

const csvField = (s: string) => `"${s.replace(/"/g, '""')}"`
const csv = (questions: ReadonlyArray<{ id: string; input: string; output: string; tests: ReadonlyArray<string> }>) =>
  "ID,INPUT,OUTPUT,TESTS\n" +
  questions.map((q) => [q.id, q.input, q.output, q.tests.join("\n")].map(csvField).join(",")).join("\n") + "\n"

const fenced = (code: string) => "\n```python\n" + code + "\n```"

/**
 * Sandboxed interpreters still running: the harness's own source is in their command line. As
 * root (CI) only those of the CLI's sandbox uid (65534) count, so that the sandbox package's tests,
 * which may run at the same time under their own uid, are not mistaken for leftovers.
 */
const harnessProcesses = (): Array<number> =>
  fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      const ours = process.getuid?.() !== 0 || /^Uid:\s+65534\b/m.test(fs.readFileSync(`/proc/${p}/status`, "utf8"))
      return ours && fs.readFileSync(`/proc/${p}/cmdline`, "utf8").includes("_VIOLATIONS = {errno.EACCES")
    } catch {
      return false
    }
  }).map(Number)

describe("code benchmarks", () => {
  let ws: Workspace
  let server: net.Server
  let connections = 0
  let received = 0
  let outside: string

  const ADD = "def add(a, b):\n    return a + b"
  const addTests = ["assert add(1, 2) == 3", "assert add(2, 3) == 5"]

  beforeAll(async () => {
    await ensureTools()
    server = net.createServer((socket) => {
      connections++
      socket.on("data", (chunk) => (received += chunk.length))
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const port = (server.address() as net.AddressInfo).port
    // The scripted replies: the simulator answers each task with this program.
    const replies: Record<string, string> = {}
    ws = await workspace({ accuracy: 1 })
    outside = path.join(ws.dir, "outside.txt")
    const task = (id: string, reply: string, tests = addTests) => {
      const input = `Task ${id}, write a Python function add(a, b) returning a + b.`
      replies[input] = reply
      return { id, input, output: ADD, tests }
    }
    const questions = [
      task("correct", fenced("def add(a, b):\n    return b + a")),
      task("wrong", fenced("def add(a, b):\n    return a + b if a < 2 else a - b")),
      task("bare", "def add(a, b):\n    return sum([a, b])"),
      task("syntax", fenced("def add(a, b)\n    return a + b")),
      task("loop", fenced(ADD + "\nwhile True:\n    pass")),
      task("forkbomb", fenced("import os\nwhile True:\n    os.fork()")),
      task("memory", fenced("def add(a, b):\n    return len(bytearray(2 * 1024 ** 3)) and a + b")),
      task("flood", fenced("def add(a, b):\n    print('x' * 100_000_000)\n    return a + b")),
      task("escape", fenced(`${ADD}\nopen(${JSON.stringify(outside)}, 'w').write('pwned')`)),
      task("key", fenced(`import os\n${ADD}\nprint(os.environ.get('OPENROUTER_API_KEY'))\nprint(open('/proc/1/environ').read())\nassert os.environ['OPENROUTER_API_KEY']`)),
      task("network", fenced(`import socket\n${ADD}\ns = socket.create_connection(('127.0.0.1', ${port}), timeout=2)\ns.sendall(b'stolen')`))
    ]
    ws.sim.configure({ questions: Object.entries(replies).map(([question, answer]) => ({ question, answer })) })
    fs.writeFileSync(path.join(ws.dir, "hostile.csv"), csv(questions))
    fs.writeFileSync(
      path.join(ws.dir, "broken.csv"),
      csv([
        { id: "fine", input: "Write inc(x).", output: "def inc(x):\n    return x + 1", tests: ["assert inc(1) == 2"] },
        { id: "q-bad", input: "Write dec(x).", output: "def dec(x):\n    return x + 1", tests: ["assert dec(3) == 2"] }
      ])
    )
  }, 900_000)

  afterAll(async () => {
    server?.close()
    await ws?.close()
  })

  it("imports a code benchmark only when every reference solution passes its own tests", async () => {
    const broken = await ws.cli(["benchmark", "import", "broken.csv"])
    expect(broken.code).toBe(1)
    expect(broken.stderr).toContain("question q-bad: assert dec(3) == 2 → AssertionError: got 4, expected == 2")
    expect(broken.stderr).toContain("--skip-reference-check")
    expect(broken.stderr).toContain("nothing was stored")
    expect(rows(ws.dbFile, "select count(*) n from benchmarks")[0]!.n).toBe(0)

    const skipped = await ws.cli(["benchmark", "import", "broken.csv", "--skip-reference-check"])
    expect(skipped.code, skipped.stderr).toBe(0)
    expect(skipped.stderr).toContain("⚠ --skip-reference-check")
    expect(rows(ws.dbFile, "select json_extract(metadata, '$.referenceCheck') r from benchmarks where name = 'broken'")[0]!.r).toBe("skipped")

    const sample = await ws.cli(["benchmark", "import", "SAMPLE_CODE"])
    expect(sample.code, sample.stderr).toBe(0)
    expect(sample.stdout).toContain("graded as code (detected from the TESTS column")

    const hostile = await ws.cli(["benchmark", "import", "hostile.csv"])
    expect(hostile.code, hostile.stderr).toBe(0)
    expect(hostile.stdout).toContain("Imported 11 questions")
  }, 120_000)

  it("runs hostile code in the sandbox: each result is stored with its reason, the run goes on, the machine is unharmed", async () => {
    const created = await ws.cli(["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "hostile"])
    expect(created.code, created.stderr).toBe(0)
    const id = createdId(created.stdout)
    const run = await ws.cli(["evaluate", "run", id, "--concurrency", "4"])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/graded as:\s+code/)

    const stored: Record<string, Record<string, any>> = Object.fromEntries(
      // The details are parsed here: a program's output may hold NUL, which PostgreSQL's JSON
      // operators refuse to turn into text.
      rows(ws.dbFile, `select question_id q, outcome, grader, grade_details, error_category
        from evaluation_question_results where evaluation_id = ?`, id)
        .map((r) => [r.q, { ...r, reason: r.grade_details === null ? null : JSON.parse(r.grade_details).reason }])
    )
    const reasons = Object.fromEntries(Object.entries(stored).map(([q, r]) => [q, r.reason]))
    expect(reasons).toEqual({
      correct: "passed",
      wrong: "failed",
      bare: "passed",
      syntax: "syntax_error",
      loop: "timeout",
      forkbomb: "sandbox_violation",
      memory: "memory_limit",
      flood: "output_limit",
      escape: expect.stringMatching(/^(runtime_error|sandbox_violation)$/),
      key: "runtime_error",
      network: "sandbox_violation"
    })
    for (const r of Object.values(stored)) {
      expect(r.grader).toBe("code")
      expect(r.error_category).toBeNull()
    }
    expect(stored.correct!.outcome).toBe("correct")
    expect(stored.wrong!.outcome).toBe("incorrect")

    // The machine is unharmed.
    expect(fs.existsSync(outside)).toBe(false)
    expect(connections).toBe(0)
    expect(received).toBe(0)
    const everything = JSON.stringify(rows(ws.dbFile, "select * from evaluation_question_results"))
    expect(everything).not.toContain(KEY)
    expect(run.stdout + run.stderr).not.toContain(KEY)
    for (let i = 0; i < 50 && harnessProcesses().length > 0; i++) await new Promise((r) => setTimeout(r, 100))
    expect(harnessProcesses()).toEqual([])

    const shown = await ws.cli(["evaluate", "show", id, "--question", "wrong"])
    expect(shown.code, shown.stderr).toBe(0)
    expect(shown.stdout).toContain("✓ assert add(1, 2) == 3")
    expect(shown.stdout).toContain("✗ assert add(2, 3) == 5")
    expect(shown.stdout).toContain("AssertionError: got -1, expected == 5")
    const flood = await ws.cli(["evaluate", "show", id, "--question", "flood"])
    expect(flood.stdout).toMatch(/stdout \(\d+\.\d MiB, truncated to the first 8\.0 KiB\)/)
  }, 300_000)

  it("gives pass@1 and pass@k over an evaluation's repeats; --unsafe-no-sandbox is said and recorded", async () => {
    const inputs = ["Repeat task A, write add(a, b).", "Repeat task B, write add(a, b)."]
    fs.writeFileSync(path.join(ws.dir, "repeat.csv"), csv(inputs.map((input, i) => ({ id: `r${i}`, input, output: ADD, tests: addTests }))))
    expect((await ws.cli(["benchmark", "import", "repeat.csv"])).code).toBe(0)
    const right = fenced(ADD)
    const wrong = fenced("def add(a, b):\n    return a * b")
    // A passes in 1 of 3 samples, B in 2 of 3.
    const rounds = [[right, right], [wrong, right], [wrong, wrong]]
    const ids: Array<string> = []
    for (const [r, [a, b]] of rounds.entries()) {
      ws.sim.configure({ questions: [{ question: inputs[0]!, answer: a! }, { question: inputs[1]!, answer: b! }] })
      const id = createdId((await ws.cli(["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "repeat"])).stdout)
      const run = await ws.cli(["evaluate", "run", id, ...(r === 2 ? ["--unsafe-no-sandbox"] : [])])
      expect(run.code, run.stderr).toBe(0)
      if (r === 2) expect(run.stderr).toContain("⚠ --unsafe-no-sandbox: model-written code runs WITHOUT bubblewrap")
      else expect(run.stderr).not.toContain("unsafe")
      ids.push(id)
    }
    const sandboxes = rows(ws.dbFile, "select evaluation_id e, json_extract(grade_details, '$.sandbox') s from evaluation_question_results where evaluation_id in (?, ?)", ids[1], ids[2])
    expect(sandboxes.filter((r) => r.e === ids[1]).every((r) => r.s === "bubblewrap")).toBe(true)
    expect(sandboxes.filter((r) => r.e === ids[2]).every((r) => r.s === "none")).toBe(true)
    const unsafeShown = await ws.cli(["evaluate", "show", ids[2]!, "--question", "r0"])
    expect(unsafeShown.stdout).toContain("run WITHOUT a sandbox (--unsafe-no-sandbox)")

    // pass@1 = (1/3 + 2/3)/2 = 50%; pass@2 = ((1 − C(2,2)/C(3,2)) + (1 − C(1,2)/C(3,2)))/2 = (2/3 + 1)/2 = 83.3%; pass@3 = 100%
    const shown = await ws.cli(["evaluate", "show", ids[2]!])
    expect(shown.stdout).toContain(`pass@k:`)
    expect(shown.stdout).toContain(`pass@1 50.0%, pass@2 83.3%, pass@3 100.0% over 3 repeats (${ids.join(", ")})`)
    const doc = JSON.parse((await ws.cli(["evaluate", "show", ids[0]!, "--json"])).stdout)
    expect(doc.passAtK.values.map((v: any) => [v.k, Number(v.estimate.toFixed(4))])).toEqual([[1, 0.5], [2, 0.8333], [3, 1]])
  }, 300_000)

  it("gives pass@1 and pass@k from one evaluation of an agent that samples k (self-consistency, k = 5), and rescore keeps them", async () => {
    // Installed as a package manager links a local package, and named in ML_AGENTS_PLUGINS.
    fs.mkdirSync(path.join(ws.dir, "node_modules"), { recursive: true })
    fs.symlinkSync(example, path.join(ws.dir, "node_modules", PLUGIN), "dir")
    const env = { ML_AGENTS_PLUGINS: PLUGIN }
    const right = fenced(ADD)
    const wrong = fenced("def add(a, b):\n    return a - b")
    const broken = fenced("def add(a, b)\n    return a + b")
    // The simulator answers each question's five asks with these, in turn: 1, 3 and 0 of them pass.
    const script = [
      { id: "k0", replies: [wrong, right, wrong, broken, wrong] },
      { id: "k1", replies: [right, wrong, right, broken, right] },
      { id: "k2", replies: [wrong, broken, wrong, wrong, broken] }
    ]
    const input = (id: string) => `Sampled task ${id}, write a Python function add(a, b).`
    fs.writeFileSync(path.join(ws.dir, "sampled.csv"), csv(script.map(({ id }) => ({ id, input: input(id), output: ADD, tests: addTests }))))
    expect((await ws.cli(["benchmark", "import", "sampled.csv"])).code).toBe(0)
    ws.sim.configure({ questions: script.map(({ id, replies }) => ({ question: input(id), answer: ADD, replies })) })
    ws.sim.reset()
    const created = await ws.cli(
      ["evaluate", "create", "--agent", "self-consistency", "--model", "openai/gpt-4o-mini", "--benchmark", "sampled", "--param", "samples=5"],
      env
    )
    expect(created.code, created.stderr).toBe(0)
    const id = createdId(created.stdout)
    const ran = await ws.cli(["evaluate", "run", id, "--concurrency", "3"], env)
    expect(ran.code, ran.stderr).toBe(0)
    expect(ws.sim.stats().requests.chat).toBe(15)

    const stored = rows(ws.dbFile, `select question_id q, is_correct, raw_output, sample_grades
      from evaluation_question_results where evaluation_id = ? order by ordinal`, id)
    const grades: Array<Array<{ outcome: string; rawOutput: string }>> = stored.map((r) => JSON.parse(r.sample_grades))
    expect(grades.map((g) => g.length)).toEqual([5, 5, 5])
    expect(grades.map((g) => g.filter((s) => s.outcome === "correct").length)).toEqual([1, 3, 0])
    // Each sample was run on its own: the right program passed wherever it was drawn, the others failed.
    for (const sample of grades.flat()) expect(sample.outcome).toBe(sample.rawOutput.includes(right) ? "correct" : "incorrect")
    // The voted answer is one of the samples, and is_correct is its grade.
    for (const [i, r] of stored.entries()) {
      const final = grades[i]!.find((s) => s.rawOutput === r.raw_output)
      expect(final, r.q).toBeDefined()
      expect([1, true, "1"].includes(r.is_correct)).toBe(final!.outcome === "correct")
    }

    // By hand, with n = 5 and c = 1, 3, 0: pass@1 = (1/5 + 3/5 + 0)/3 = 4/15;
    // pass@2 = ((1 − C(4,2)/C(5,2)) + (1 − C(2,2)/C(5,2)) + 0)/3 = (0.4 + 0.9)/3 = 1.3/3;
    // pass@5 = (1 + 1 + 0)/3 = 2/3.
    const expected: Array<[number, number]> = [[1, 4 / 15], [2, 1.3 / 3], [5, 2 / 3]]
    const passAtK = async () => {
      const shown = await ws.cli(["evaluate", "show", id, "--json", "--limit", "0"], env)
      expect(shown.code, shown.stderr).toBe(0)
      return JSON.parse(shown.stdout).passAtK
    }
    const estimates = (doc: any) => doc.values.map((v: any) => [v.k, v.estimate])
    const first = await passAtK()
    expect(first).toMatchObject({ evaluations: [id], questions: 3, agentSamples: true, maxSamples: 5 })
    expect(estimates(first).map(([k]: [number]) => k)).toEqual([1, 2, 5])
    for (const [i, [k, estimate]] of estimates(first).entries()) {
      expect(k).toBe(expected[i]![0])
      expect(estimate).toBeCloseTo(expected[i]![1], 12)
    }
    const text = await ws.cli(["evaluate", "show", id, "--limit", "0"], env)
    expect(text.stdout).toContain("pass@1 26.7%, pass@2 43.3%, pass@5 66.7% over the agent's own samples")
    const one = await ws.cli(["evaluate", "show", id, "--question", "k1"], env)
    expect(one.stdout).toContain("Samples  (3 of 5 correct")
    // The report gives the same pass@k from this one evaluation.
    const reported = await ws.cli(["report", id, "--json"], env)
    expect(reported.code, reported.stderr).toBe(0)
    const entry = JSON.parse(reported.stdout).passAtK
    expect(entry).toHaveLength(1)
    expect(entry[0].summary.agentSamples).toBe(true)
    expect(estimates(entry[0].summary)).toEqual(estimates(first))
    const html = path.join(ws.dir, "sampled.html")
    expect((await ws.cli(["report", id, "-o", html], env)).code).toBe(0)
    const page = fs.readFileSync(html, "utf8")
    expect(page).toContain(`<h2>6. pass@k</h2>`)
    for (const figure of ["26.7", "43.3", "66.7"]) expect(page).toContain(figure)

    // The export carries them: counts in CSV, every sample in JSON Lines.
    const jsonl = await ws.cli(["evaluate", "export", id, "--format", "jsonl"], env)
    const exported = jsonl.stdout.trim().split("\n").map((line) => JSON.parse(line))
    expect(exported.map((r) => [r.samples, r.samples_correct])).toEqual([[5, 1], [5, 3], [5, 0]])
    expect(exported.map((r) => r.sample_grades)).toEqual(grades.map((g) => g.map((s) => ({ outcome: s.outcome, raw_output: s.rawOutput }))))

    // rescore grades the samples again from their stored replies: spoilt grades come back, with no model call.
    run(ws.dbFile, "update evaluation_question_results set sample_grades = ? where evaluation_id = ? and question_id = 'k1'",
      JSON.stringify(grades[1]!.map((s) => ({ ...s, outcome: "incorrect" }))), id)
    expect(estimates(await passAtK())[0][1]).toBeCloseTo(1 / 15, 12)
    const rescored = await ws.cli(["evaluate", "rescore", id], env)
    expect(rescored.code, rescored.stderr).toBe(0)
    expect(estimates(await passAtK())).toEqual(estimates(first))
    expect(ws.sim.stats().requests.chat).toBe(15)
  }, 300_000)
})
