/**
 * The simulated model's answers: accuracy, determinism, reply styles, wrong-answer kinds and the
 * question lookup (long prompts, a 50,000-question key, benchmark CSV files).
 */
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { start } from "../src/index.js"
import { ask, chat, simulators } from "./helpers.js"

const sim = simulators()

const letters = ["A", "B", "C", "D"]
const puzzles = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ question: `Puzzle ${i}: which option solves riddle number ${i}?`, answer: letters[i % 4]! }))

describe("accuracy", () => {
  it("answers every known question correctly at accuracy 1", async () => {
    const qs = puzzles(40)
    const s = await sim({ questions: qs, accuracy: 1 })
    for (const q of qs) expect(await ask(s, q.question)).toBe(`Answer: ${q.answer}`)
  })

  it("answers every known question wrongly at accuracy 0", async () => {
    const qs = puzzles(40)
    const s = await sim({ questions: qs, accuracy: 0 })
    for (const q of qs) {
      const reply = await ask(s, q.question)
      expect(reply).toMatch(/^Answer: [A-D]$/)
      expect(reply).not.toBe(`Answer: ${q.answer}`)
    }
  })

  it("lands near 50% at accuracy 0.5 and is deterministic for a seed", async () => {
    const qs = puzzles(400)
    const run = async (seed: number) => {
      const s = await sim({ questions: qs, accuracy: 0.5, seed })
      return Promise.all(qs.map((q) => ask(s, q.question)))
    }
    const a = await run(7)
    const b = await run(7)
    const c = await run(8)
    const correct = a.filter((r, i) => r === `Answer: ${qs[i]!.answer}`).length
    expect(correct).toBeGreaterThan(160)
    expect(correct).toBeLessThan(240)
    expect(b).toEqual(a)
    expect(c).not.toEqual(a)
  })

  it("uses a model's own accuracy over the global one", async () => {
    const qs = puzzles(30)
    const s = await sim({ questions: qs, accuracy: 0 })
    for (const q of qs) expect(await ask(s, q.question, {}, "sim/perfect")).toBe(`Answer: ${q.answer}`)
  })

  it("repeats itself at temperature 0 but samples anew at temperature > 0", async () => {
    const qs = puzzles(1)
    const s = await sim({ questions: qs, accuracy: 0.5 })
    const cold = new Set<string>()
    const hot = new Set<string>()
    for (let i = 0; i < 30; i++) {
      cold.add(await ask(s, qs[0]!.question, { temperature: 0 }))
      hot.add(await ask(s, qs[0]!.question, { temperature: 0.9 }))
    }
    expect(cold.size).toBe(1)
    expect(hot.has("Answer: A")).toBe(true)
    expect(hot.size).toBeGreaterThan(1)
  })

  it("answers a question with scripted replies from them in turn, per model, at any temperature", async () => {
    const s = await sim({ questions: [{ question: "Write add(a, b).", answer: "ref", replies: ["one", "two", "three"] }], accuracy: 0 })
    const asks = []
    for (let i = 0; i < 4; i++) asks.push(await ask(s, "Write add(a, b).", { temperature: i % 2 === 0 ? 0 : 0.9 }))
    expect(asks).toEqual(["Answer: one", "Answer: two", "Answer: three", "Answer: one"])
    // Each model asks from the start; reset() starts over.
    expect(await ask(s, "Write add(a, b).", {}, "anthropic/claude-3.5-haiku")).toBe("Answer: one")
    s.reset()
    expect(await ask(s, "Write add(a, b).")).toBe("Answer: one")
    expect(() => s.configure({ questions: [{ question: "q", answer: "a", replies: [] }] })).toThrow("questions[0].replies must be a non-empty array of strings")
  })

  it("says it is not sure about a question outside the key", async () => {
    const s = await sim({ questions: puzzles(5), accuracy: 1 })
    expect(await ask(s, "What is the airspeed of an unladen swallow?")).toBe("Answer: I am not sure.")
  })
})

describe("wrong answers keep the kind of the right one", () => {
  const cases: Array<[string, (wrong: string) => void]> = [
    ["B", (w) => expect(w).toMatch(/^[ACD]$/)],
    ["(c)", (w) => expect(w).toMatch(/^\([abdefghij]\)$/)],
    ["H", (w) => expect(w).toMatch(/^[A-G]$/)],
    ["42", (w) => {
      expect(w).toMatch(/^\d+$/)
      expect(w).not.toBe("42")
    }],
    ["-3.25", (w) => {
      expect(w).toMatch(/^-?\d+\.\d\d$/)
      expect(w).not.toBe("-3.25")
    }],
    ["True", (w) => expect(["False", "Uncertain"]).toContain(w)],
    ["Uncertain", (w) => expect(["True", "False"]).toContain(w)],
    ["yes", (w) => expect(w).toBe("no")],
    ["No", (w) => expect(w).toBe("Yes")],
    ["def two_sum(nums, target): ...", (w) => expect(w).toBe("unknown")]
  ]
  it.each(cases)("%s", async (answer, check) => {
    const s = await sim({ questions: [{ question: "The one question of this test?", answer }], accuracy: 0 })
    const reply = await ask(s, "The one question of this test?")
    expect(reply.startsWith("Answer: ")).toBe(true)
    check(reply.slice("Answer: ".length))
  })
})

describe("programs (a code benchmark's reference solution)", () => {
  const program = "def add(a, b):\n    return a + b"
  const q = { question: "Write a Python function add(a, b) that returns their sum.", answer: program }

  it("the right program comes in a fenced python block, plainly or after the steps", async () => {
    const s = await sim({ questions: [q], accuracy: 1 })
    expect(await ask(s, q.question)).toBe("```python\n" + program + "\n```")
    const r = await chat(s, {
      model: "openai/gpt-4o-mini",
      messages: [{ role: "system", content: "Think step by step." }, { role: "user", content: q.question }]
    })
    const content = r.json.choices[0].message.content as string
    expect(content.startsWith("Let me work through this step by step.")).toBe(true)
    expect(content.endsWith("```python\n" + program + "\n```")).toBe(true)
  })

  it("a wrong one keeps the definition line, so that it compiles and fails the tests", async () => {
    const s = await sim({ questions: [q], accuracy: 0 })
    expect(await ask(s, q.question)).toBe("```python\ndef add(a, b):\n    return None\n```")
  })
})

describe("reply styles", () => {
  const q = { question: "Which planet is known as the Red Planet?", answer: "Mars" }

  it("answers with JSON when response_format asks for it", async () => {
    const s = await sim({ questions: [q], accuracy: 1 })
    for (const rf of [{ type: "json_object" }, { type: "json_schema", json_schema: { name: "a", schema: {} } }]) {
      const content = await ask(s, q.question, { response_format: rf })
      const parsed = JSON.parse(content)
      expect(parsed.answer).toBe("Mars")
      expect(typeof parsed.reasoning).toBe("string")
      expect(parsed.reasoning.length).toBeGreaterThan(0)
    }
  })

  it("reasons in steps when any message says step by step", async () => {
    const s = await sim({ questions: [q], accuracy: 1 })
    const r = await chat(s, {
      model: "openai/gpt-4o-mini",
      messages: [
        { role: "system", content: "Think Step By Step, then give the final answer." },
        { role: "user", content: q.question }
      ]
    })
    const lines = (r.json.choices[0].message.content as string).split("\n")
    expect(lines.length).toBeGreaterThanOrEqual(3)
    expect(lines.at(-1)).toBe("Answer: Mars")
  })

  it("answers plainly otherwise", async () => {
    const s = await sim({ questions: [q], accuracy: 1 })
    expect(await ask(s, q.question)).toBe("Answer: Mars")
  })
})

describe("question lookup", () => {
  it("finds the question inside a long prompt with labels, examples and instructions", async () => {
    const qs = [
      { question: "Premises: all cats are mammals.\nSome mammals fly.\nConclusion: some cats fly.", answer: "Uncertain" },
      { question: "What is 17 times 3?", answer: "51" },
      { question: "Name the capital of Australia.", answer: "Canberra" }
    ]
    const s = await sim({ questions: qs, accuracy: 1 })
    const filler = Array.from({ length: 300 }, (_, i) => `Instruction line ${i}: be careful and precise.`).join("\n")
    const prompt = [
      filler,
      // A few-shot example from the key itself: the asked question is the one that comes last.
      `Example:\nQuestion: ${qs[2]!.question}\nAnswer: Canberra`,
      "",
      `Question: ${qs[0]!.question}`,
      "Reply with True, False or Uncertain.",
      filler
    ].join("\n")
    expect(await ask(s, prompt)).toBe("Answer: Uncertain")
    expect(await ask(s, `${filler}\nQ: ${qs[1]!.question}\n${filler}`)).toBe("Answer: 51")
    // Content given as an array of text parts.
    const r = await chat(s, {
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: [{ type: "text", text: "Please answer." }, { type: "text", text: qs[2]!.question }] }]
    })
    expect(r.json.choices[0].message.content).toBe("Answer: Canberra")
  })

  it("only looks at the last user message", async () => {
    const s = await sim({ questions: [{ question: "What is 17 times 3?", answer: "51" }], accuracy: 1 })
    const r = await chat(s, {
      model: "openai/gpt-4o-mini",
      messages: [
        { role: "user", content: "What is 17 times 3?" },
        { role: "assistant", content: "Answer: 51" },
        { role: "user", content: "Thanks! Now something else entirely." }
      ]
    })
    expect(r.json.choices[0].message.content).toBe("Answer: I am not sure.")
  })

  it("serves a 50,000-question key, including questions that share a preamble line", async () => {
    const questions = Array.from({ length: 50_000 }, (_, i) =>
      i % 2 === 0
        ? { question: `Item ${i}: what is the catalogue code of part ${i * 7}?`, answer: String(i) }
        : { question: `Read the problem below and answer it.\nProblem ${i}: how many widgets are in box ${i * 3}?`, answer: String(i) }
    )
    const s = await sim({ questions, accuracy: 1 })
    const picks = [0, 1, 2, 3, 24_999, 25_000, 49_998, 49_999]
    for (const i of picks) {
      const q = questions[i]!
      expect(await ask(s, `Context: a long preamble.\n${q.question}\nThink carefully.`)).toBe(`Answer: ${i}`)
    }
  })

  it("loads benchmark CSV files (RFC 4180) into the key", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sim-csv-"))
    const file = join(dir, "BENCH.csv")
    writeFileSync(
      file,
      'INPUT,OUTPUT,SUBJECT\r\n"Is it true that ""all"" swans are white,\r\nas the old saying goes?",False,logic\r\nWhat is 6 times 7?,42,math\r\n'
    )
    const s = await sim({ benchmarkFiles: [file], accuracy: 1 })
    expect(await ask(s, 'Is it true that "all" swans are white,\nas the old saying goes?')).toBe("Answer: False")
    expect(await ask(s, "What is 6 times 7?")).toBe("Answer: 42")
  })

  it("rejects a CSV without INPUT and OUTPUT columns", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sim-csv-"))
    const file = join(dir, "bad.csv")
    writeFileSync(file, "question,answer\nx,y\n")
    await expect(start({ benchmarkFiles: [file] })).rejects.toThrow(/bad\.csv:1: the header has no "INPUT", "OUTPUT" columns/)
  })
})
