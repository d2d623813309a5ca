/**
 * The `ml-agents-simulator` command, run for real from dist/bin.js (build with `npx tsup` first;
 * turbo's test task depends on build).
 */
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach, beforeAll, describe, expect, it } from "vitest"

const BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "bin.js")
const children: Array<ChildProcess> = []

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npx tsup\` before the tests`)
})
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL")
})

const run = (args: Array<string>) => {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] })
  children.push(child)
  let stdout = ""
  let stderr = ""
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d))
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  const firstLine = new Promise<string>((resolve, reject) => {
    const check = () => {
      const nl = stdout.indexOf("\n")
      if (nl >= 0) resolve(stdout.slice(0, nl))
    }
    child.stdout.on("data", check)
    child.on("exit", () => reject(new Error(`exited before printing its URL; stderr: ${stderr}`)))
  })
  firstLine.catch(() => {}) // only awaited by tests that expect the server to start
  return { child, exited, firstLine, out: () => stdout, err: () => stderr }
}

describe("ml-agents-simulator", () => {
  it("prints its URL line, answers from a benchmark file, injects faults and stops on SIGTERM", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sim-bin-"))
    const csv = join(dir, "bench.csv")
    writeFileSync(csv, 'INPUT,OUTPUT\n"Which gas do plants absorb, mostly?",CO2\n')
    const p = run([
      "--port", "0",
      "--accuracy", "1",
      "--key", "sk-test",
      "--latency-ms", "5",
      "--benchmark", csv,
      "--fault", '{"fault":{"type":"status","status":429,"retryAfterSeconds":2},"times":1}'
    ])
    const line = await p.firstLine
    const m = /^ml-agents-simulator listening on (http:\/\/127\.0\.0\.1:(\d+)\/api\/v1)$/.exec(line)
    expect(m).not.toBeNull()
    const url = m![1]!
    const ask = () =>
      fetch(`${url}/chat/completions`, {
        method: "POST",
        headers: { authorization: "Bearer sk-test", "content-type": "application/json" },
        body: JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Which gas do plants absorb, mostly?" }] })
      })
    const limited = await ask()
    expect(limited.status).toBe(429)
    expect(limited.headers.get("retry-after")).toBe("2")
    const ok = await ask()
    expect(ok.status).toBe(200)
    expect(((await ok.json()) as any).choices[0].message.content).toBe("Answer: CO2")
    const stats = (await (await fetch(url.replace(/\/api\/v1$/, "/__sim/stats"))).json()) as any
    expect(stats.faultsInjected).toBe(1)

    p.child.kill("SIGTERM")
    expect(await p.exited).toBe(0)
    expect(p.out()).toBe(`${line}\n`)
  })

  it.each([
    [["--bogus"], /bogus/],
    [["--accuracy", "2"], /--accuracy/],
    [["--port", "abc"], /--port/],
    [["--fault", "{not json"], /--fault/],
    [["--fault", '{"fault":{"type":"status"}}'], /status/],
    [["--benchmark", "/nonexistent/file.csv"], /not found/]
  ])("rejects %j with exit status 2", async (args, message) => {
    const p = run(args as Array<string>)
    expect(await p.exited).toBe(2)
    expect(p.err()).toMatch(message)
    expect(p.out()).toBe("")
  })

  it("prints help", async () => {
    const p = run(["--help"])
    expect(await p.exited).toBe(0)
    expect(p.out()).toMatch(/--latency-ms/)
  })
})
