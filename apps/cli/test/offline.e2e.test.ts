/**
 * The README's "Using it offline" path, run as written: the three commands between the
 * `offline:start` and `offline:end` markers, in bash, with only the port changed to a free one
 * (tests never take a fixed port) and `npx -y pnpm@10.34.9 <script>` replaced by the `node`
 * command that script runs (no network, no pnpm start-up).
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { cliBin, rows, samplesDir } from "./support.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")
const simBin = path.join(root, "packages/simulator/dist/bin.js")

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })

describe("README: using it offline", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ml-agents-offline-"))
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

  it("the three commands import, create and run an evaluation against the simulator", async () => {
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8")
    const block = /<!-- offline:start -->\s*```sh\n([^]*?)```\s*<!-- offline:end -->/.exec(readme)?.[1]
    expect(block, "the README's offline block").toBeDefined()
    const port = await freePort()
    const script = block!
      .replaceAll("8080", String(port))
      .replaceAll("npx -y pnpm@10.34.9 simulator", `node ${simBin}`)
      .replaceAll("npx -y pnpm@10.34.9 ml-agents", `node ${cliBin}`)
    // The user's own benchmark: a sample under another name.
    fs.copyFileSync(path.join(samplesDir, "SAMPLE_MC.csv"), path.join(dir, "my-questions.csv"))
    const db = path.join(dir, "offline.db")
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      // The simulator must be listening before step 3: the block's `&` is followed by a wait for
      // its port here, as a person waits for its first line; then it is stopped.
      const wrapped = script.replace(/&\n/, `&\nfor i in $(seq 100); do (echo > /dev/tcp/127.0.0.1/${port}) 2>/dev/null && break; sleep 0.1; done\n`)
      const child = spawn("bash", ["-c", `set -e\ntrap 'kill %1 2>/dev/null' EXIT\n${wrapped}`], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? "", HOME: dir, XDG_CACHE_HOME: path.join(dir, "cache"), NO_COLOR: "1", DATABASE_URL: `sqlite:///${db}` },
        stdio: ["ignore", "pipe", "pipe"]
      })
      let stdout = ""
      let stderr = ""
      child.stdout.on("data", (c) => (stdout += c))
      child.stderr.on("data", (c) => (stderr += c))
      child.on("close", (code) => resolve({ code, stdout, stderr }))
    })
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/Evaluation eval_[a-z0-9]+ completed/)
    // The simulator said how to point ml-agents at it, and knew every question.
    expect(result.stderr).toContain(`OPENROUTER_BASE_URL=http://127.0.0.1:${port}/api/v1 OPENROUTER_API_KEY=sk-sim-local`)
    expect(result.stderr).not.toContain("not in the answer key")
    const stored = rows(db, "select extracted_answer, is_correct from evaluation_question_results")
    expect(stored).toHaveLength(20)
    expect(stored.filter((r) => r.is_correct === 1).length).toBeGreaterThan(5)
  })
})
