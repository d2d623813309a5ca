import { assert, describe, it } from "@effect/vitest"
import { Benchmark, Experiment } from "../src/index.js"

const questions = (n: number, category?: (i: number) => string) =>
  Array.from({ length: n }, (_, i) =>
    new Benchmark.Question({
      id: `q${i}`,
      text: `question ${i}`,
      expectedAnswer: "A",
      metadata: category === undefined ? {} : { Category: category(i) }
    }))

describe("Experiment", () => {
  it("a subsample is seeded: the same seed gives the same questions, another seed others, in benchmark order", () => {
    const all = questions(100)
    const a = Experiment.sample(all, 10, 7).map((q) => q.id)
    assert.deepStrictEqual(Experiment.sample(all, 10, 7).map((q) => q.id), a)
    assert.notDeepEqual(Experiment.sample(all, 10, 8).map((q) => q.id), a)
    assert.strictEqual(new Set(a).size, 10)
    const positions = a.map((id) => Number(id.slice(1)))
    assert.deepStrictEqual(positions, [...positions].sort((x, y) => x - y))
  })

  it("a subsample is stratified by the category column: each category gets its share", () => {
    // 60 algebra, 30 geometry, 10 logic: a sample of 20 takes 12, 6 and 2.
    const all = questions(100, (i) => (i < 60 ? "algebra" : i < 90 ? "geometry" : "logic"))
    const picked = Experiment.sample(all, 20, 3)
    const count = (c: string) => picked.filter((q) => q.metadata.Category === c).length
    assert.deepStrictEqual([count("algebra"), count("geometry"), count("logic")], [12, 6, 2])
    // Remainders go to the largest fractional shares: 7 of (3, 3, 1) → 2.1, 2.1, 0.7 → 3, 3, 1 after the floor 2, 2, 0.
    const small = questions(7, (i) => (i < 3 ? "a" : i < 6 ? "b" : "c"))
    const s = Experiment.sample(small, 5, 1)
    assert.strictEqual(s.length, 5)
    assert.isAtLeast(s.filter((q) => q.metadata.Category === "c").length, 1)
  })

  it("a sample at least as large as the benchmark is the whole benchmark", () => {
    const all = questions(5)
    assert.deepStrictEqual(Experiment.sample(all, 5, 1), all)
    assert.deepStrictEqual(Experiment.sample(all, 50, 1), all)
  })

  it("labels name an entry's parameters, and the grid crosses agents × models × benchmarks × repeats", () => {
    assert.strictEqual(Experiment.labelOf("none", {}), "none")
    assert.strictEqual(Experiment.labelOf("tot", { tree_depth: 2 }, { maxTokens: 800 }), "tot(tree_depth=2, max_tokens=800)")
    const entry = (label: string) =>
      new Experiment.GridAgent({ label, agentType: label, agentParameters: {}, modelParameters: new Experiment.ModelOverrides({}) })
    const grid = new Experiment.Grid({
      agents: [entry("none"), entry("cot"), entry("tot")],
      models: ["m1", "m2"],
      benchmarks: ["A", "B"],
      repeats: 2,
      sample: null
    })
    const cells = Experiment.coordinates(grid)
    assert.strictEqual(cells.length, 24)
    assert.strictEqual(new Set(cells.map((c) => `${c.agent}|${c.model}|${c.benchmark}|${c.repeat}`)).size, 24)
    assert.deepStrictEqual(cells[0], { agent: "none", model: "m1", benchmark: "A", repeat: 1 })
  })

  it("an experiment's status comes from its cells'", () => {
    assert.strictEqual(Experiment.statusOf(["pending", "pending"]), "pending")
    assert.strictEqual(Experiment.statusOf(["completed", "completed"]), "completed")
    assert.strictEqual(Experiment.statusOf(["completed", "running"]), "running")
    assert.strictEqual(Experiment.statusOf(["completed", "interrupted", "pending"]), "interrupted")
    assert.strictEqual(Experiment.statusOf(["completed", "pending"]), "partial")
  })
})
