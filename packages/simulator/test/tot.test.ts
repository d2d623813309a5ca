/**
 * Replies to the `tot` agent's tree-of-thoughts prompts: thoughts that state an answer, votes and
 * values that favour the right answer when the model judges well, and a final answer that follows
 * the path. The prompts are built here the way the agent builds them (same marker phrases).
 */
import { describe, expect, it } from "vitest"
import { TOT_MARKERS as M } from "../src/index.js"
import { sameAnswer, totKind } from "../src/internal/TotReply.js"
import { ask, simulators } from "./helpers.js"

const sim = simulators()

const q = { question: "What is 6 times 7?", answer: "42" }
const claim = (answer: string) => `Working through what the question asks, the answer appears to be ${answer}.`

const head = (path: ReadonlyArray<string>, question = q.question) =>
  `Question:\n${question}\n\n${M.steps}\n${path.length === 0 ? "(none yet)" : path.map((t, i) => `Step ${i + 1}: ${t}`).join("\n")}`
const generate = (path: ReadonlyArray<string> = [], question?: string) =>
  `${head(path, question)}\n\n${M.generate} (step ${path.length + 1}). Write one short step.`
const vote = (candidates: ReadonlyArray<string>, path: ReadonlyArray<string> = []) =>
  `${head(path)}\n\n${M.candidates}\n${candidates.map((c, i) => `Candidate ${i + 1}:\n${c}`).join("\n\n")}\n\n` +
  `${M.vote} toward a correct answer. End with the line "${M.voteAnswer} <number>".`
const value = (candidate: string, path: ReadonlyArray<string> = []) =>
  `${head(path)}\n\n${M.candidateOne}\n${candidate}\n\n${M.value}: end with "${M.valueAnswer} <number from 0 to 1>".`
const final = (path: ReadonlyArray<string>, question?: string) =>
  `${head(path, question)}\n\n${M.final}. End with one line in the form \`Answer: <answer>\`.`

const choice = (reply: string) => Number(/The best choice is (\d+)$/.exec(reply)?.[1])
const score = (reply: string) => Number(/Score: ([\d.]+)$/.exec(reply)?.[1])

describe("tree-of-thoughts prompts", () => {
  it("tells the prompt kinds apart by their marker phrases, and leaves other prompts alone", () => {
    expect(totKind(generate())).toBe("generate")
    expect(totKind(vote(["a", "b"]))).toBe("vote")
    expect(totKind(value("a"))).toBe("value")
    expect(totKind(final([]))).toBe("final")
    expect(totKind("What is 6 times 7?\nThink step by step.")).toBeUndefined()
    expect(sameAnswer(" **Paris** ", "paris.")).toBe(true)
  })

  it("generation: one short thought stating the drawn answer, no Answer: line", async () => {
    const right = await sim({ questions: [q], accuracy: 1 })
    const reply = await ask(right, generate(), { temperature: 0.9 })
    expect(reply).toBe(claim("42"))
    expect(reply).not.toMatch(/^Answer:/m)
    const wrong = await sim({ questions: [q], accuracy: 0 })
    const other = await ask(wrong, generate([claim("42")]), { temperature: 0.9 })
    expect(other).toMatch(/the answer appears to be \d+\.$/)
    expect(other).not.toBe(claim("42"))
  })

  it("vote: backs a candidate with the right answer when the draw is right, a wrong one when it is not", async () => {
    const candidates = [claim("40"), claim("42"), "Let me reconsider the units.", claim("45")]
    const right = await sim({ questions: [q], accuracy: 1 })
    expect(choice(await ask(right, vote(candidates)))).toBe(2)
    const wrong = await sim({ questions: [q], accuracy: 0 })
    expect([1, 4]).toContain(choice(await ask(wrong, vote(candidates))))
    // No candidate is right: a good judge still names one of them.
    expect(choice(await ask(right, vote([claim("1"), claim("2")])))).toBe(1)
  })

  it("value: scores a candidate with the right answer high when the draw is right, and misjudges otherwise", async () => {
    const right = await sim({ questions: [q], accuracy: 1 })
    expect(score(await ask(right, value(claim("42"), [claim("41")])))).toBe(0.9)
    expect(score(await ask(right, value(claim("41"), [claim("42")])))).toBe(0.2)
    expect(score(await ask(right, value("Let me restate the question.")))).toBe(0.5)
    const wrong = await sim({ questions: [q], accuracy: 0 })
    expect(score(await ask(wrong, value(claim("42"))))).toBeLessThan(score(await ask(wrong, value(claim("41")))))
  })

  it("final: answers with what the last step concluded, else with its own draw", async () => {
    const right = await sim({ questions: [q], accuracy: 1 })
    expect(await ask(right, final([claim("40"), claim("43")]))).toBe("Answer: 43")
    expect(await ask(right, final([]))).toBe("Answer: 42")
    expect(await ask(right, final(["Restating the question."]))).toBe("Answer: 42")
  })

  it("questions outside the key get safe replies of the right kind", async () => {
    const s = await sim({ questions: [q], accuracy: 1 })
    const other = "What is the airspeed of an unladen swallow?"
    expect(await ask(s, generate([], other))).toMatch(/not sure/)
    expect(await ask(s, `Question:\n${other}\n\n${M.candidates}\nCandidate 1:\nx\n\n${M.vote}.`)).toMatch(/The best choice is 1$/)
    expect(await ask(s, final([], other))).toBe("Answer: I am not sure.")
  })

  it("response_format JSON still wins over a ToT prompt", async () => {
    const s = await sim({ questions: [q], accuracy: 1 })
    expect(JSON.parse(await ask(s, final([]), { response_format: { type: "json_object" } })).answer).toBe("42")
  })
})
