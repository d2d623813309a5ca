/**
 * Benchmark files given to the simulator are read by core's strict reader, the one
 * `ml-agents benchmark import` uses: a file the CLI refuses is refused here too, with the same
 * message, and a question outside the answer key is counted and reported, not silently answered.
 */
import { BenchmarkCsv } from "@ml-agents/core"
import { Effect, Either } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { start } from "../src/Simulator.js"

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sim-csv-"))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const file = (name: string, text: string) => {
  const full = path.join(dir, name)
  fs.writeFileSync(full, text)
  return full
}

const cliVerdict = (full: string) => Effect.runSync(Effect.either(BenchmarkCsv.parse(fs.readFileSync(full), full)))

describe("benchmark files", () => {
  it.each([
    ["a quote inside a field", "INPUT,OUTPUT\nwhat is \"x\"?,A\n"],
    ["an extra field", "INPUT,OUTPUT\nq1,A,extra\n"],
    ["text after a closing quote", "INPUT,OUTPUT\n\"q1\" tail,A\n"],
    ["a bare CR splitting a row", "INPUT,OUTPUT\nq1\rq2,A\n"],
    ["an unterminated quote", "INPUT,OUTPUT\n\"q1,A\n"]
  ])("refuses %s, as the CLI's import does, with its message", async (name, text) => {
    const full = file(`${name.replace(/\W+/g, "-")}.csv`, text)
    const verdict = cliVerdict(full)
    expect(Either.isLeft(verdict)).toBe(true)
    const message = Either.isLeft(verdict) ? verdict.left.message : ""
    await expect(start({ benchmarkFiles: [full] })).rejects.toThrow(message)
  })

  it("loads a good file with INPUT and OUTPUT in any position, and counts questions outside the key", async () => {
    const full = file("good.csv", "ID,OUTPUT,INPUT\n1,B,\"Which, of these?\"\n2,C,Another one\n")
    const unknown: Array<string> = []
    const sim = await start({ benchmarkFiles: [full], accuracy: 1, onUnknownQuestion: (text) => unknown.push(text) })
    try {
      const ask = (content: string) =>
        fetch(`${sim.url}/chat/completions`, {
          method: "POST",
          headers: { authorization: "Bearer sk-sim-local", "content-type": "application/json" },
          body: JSON.stringify({ model: "sim/perfect", messages: [{ role: "user", content }] })
        }).then((r) => r.json() as Promise<any>)
      expect((await ask("Which, of these?")).choices[0].message.content).toContain("B")
      expect((await ask("Not in any file?")).choices[0].message.content).toContain("I am not sure")
      expect(unknown).toEqual(["Not in any file?"])
      expect(sim.stats().unknownQuestions).toBe(1)
    } finally {
      await sim.close()
    }
  })
})
