/**
 * The code grader: reading code out of replies, and grading and reference-checking for real in
 * the sandbox.
 */
import { assert, describe, it } from "@effect/vitest"
import type { Grader } from "@ml-agents/core"
import { Sandbox } from "@ml-agents/sandbox"
import { ensureTools } from "@ml-agents/sandbox/testing"
import { Effect } from "effect"
import { beforeAll } from "vitest"
import { CodeAnswer, CodeGrader, ExecutionView } from "../src/index.js"

beforeAll(async () => {
  await ensureTools()
}, 900_000)

describe("CodeAnswer.extractCode", () => {
  it("takes the last Python (or unmarked) fenced block", () => {
    const reply = "First try:\n```python\ndef f():\n    return 1\n```\nBetter:\n```py\ndef f():\n    return 2\n```\nUsage:\n```bash\npython f.py\n```\n"
    assert.strictEqual(CodeAnswer.extractCode(reply), "def f():\n    return 2\n")
    assert.strictEqual(CodeAnswer.extractCode("```\nx = 1\n```"), "x = 1\n")
    assert.strictEqual(CodeAnswer.extractCode("~~~python\nx = 2\n~~~"), "x = 2\n")
  })

  it("takes a final block the reply left unclosed, and bare code as it is", () => {
    assert.strictEqual(CodeAnswer.extractCode("Here:\n```python\ndef f():\n    return 3\n"), "def f():\n    return 3\n")
    assert.strictEqual(CodeAnswer.extractCode("def f():\n    return 4\n\n"), "def f():\n    return 4\n")
    assert.isNull(CodeAnswer.extractCode("  \n"))
  })

  it("falls back to a block of another language only when there is no Python one", () => {
    assert.strictEqual(CodeAnswer.extractCode("```text\nprint(1)\n```"), "print(1)\n")
  })

  it("reads cot's JSON replies through the extracted answer, bare replies as a whole", () => {
    assert.strictEqual(CodeAnswer.programOf('{"reasoning": "easy", "answer": "def f(): return 1"}', "def f(): return 1"), "def f(): return 1\n")
    assert.strictEqual(CodeAnswer.programOf("def f():\n    answer: int = 1\n    return answer", "int = 1"), "def f():\n    answer: int = 1\n    return answer\n")
    assert.isNull(CodeAnswer.programOf(null, null))
    assert.strictEqual(CodeAnswer.programOf("Answer: def f():\n    return 1", null), "def f():\n    return 1\n")
    assert.strictEqual(CodeAnswer.programOf("Answer: \n```python\nx = 1\n```", "x = 1"), "x = 1\n")
  })

  it("reads tests, one assert per line, and the set-up column", () => {
    assert.deepStrictEqual(CodeAnswer.testsOf({ tests: "assert f(1) == 1\r\n\n  assert f(2) == 2  \n" }), ["assert f(1) == 1", "assert f(2) == 2"])
    assert.strictEqual(CodeAnswer.setupOf({ TEST_SETUP: "import math" }), "import math")
    assert.isUndefined(CodeAnswer.setupOf({ TEST_SETUP: " " }))
    assert.isTrue(CodeAnswer.hasTestsColumn(["ID", "INPUT", "OUTPUT", "tests"]))
    assert.isFalse(CodeAnswer.hasTestsColumn(["INPUT", "OUTPUT"]))
  })
})

const question = (id: string, reference: string, tests: string): Grader.GradedQuestion => ({
  id,
  text: `task ${id}`,
  expectedAnswer: reference,
  metadata: { TESTS: tests }
})

const grader = Effect.map(Sandbox.make({ limits: { wallMs: 8_000, cpuSeconds: 2 } }), CodeGrader.make)

describe("CodeGrader", () => {
  it.live("grades a passing reply correct, a failing one incorrect with its failing assert, an empty one no_answer", () =>
    Effect.gen(function*() {
      const g = yield* grader
      const q = question("sq", "def sq(x):\n    return x * x\n", "assert sq(2) == 4\nassert sq(3) == 9")
      const good = yield* g.grade({ question: q, rawOutput: "Sure:\n```python\ndef sq(x):\n    return x ** 2\n```", answer: null })
      assert.strictEqual(good.outcome, "correct")
      assert.strictEqual(good.grader, "code")
      const bad = yield* g.grade({ question: q, rawOutput: "```python\ndef sq(x):\n    return x + x\n```", answer: null })
      assert.strictEqual(bad.outcome, "incorrect")
      const details = CodeGrader.decodeDetails(bad.details)
      assert.strictEqual(details?.kind, "execution")
      if (details?.kind === "execution") {
        assert.strictEqual(details.reason, "failed")
        assert.strictEqual(details.tests[1]!.message, "got 6, expected == 9")
      }
      const text = ExecutionView.lines(details!).join("\n")
      assert.include(text, "✗ assert sq(3) == 9")
      assert.include(text, "AssertionError: got 6, expected == 9")
      const none = yield* g.grade({ question: q, rawOutput: "", answer: null })
      assert.strictEqual(none.outcome, "no_answer")
      const untested = yield* g.grade({ question: { ...q, metadata: {} }, rawOutput: "```python\ndef sq(x):\n    return x * x\n```", answer: null })
      assert.strictEqual(untested.outcome, "incorrect")
      assert.include(ExecutionView.lines(CodeGrader.decodeDetails(untested.details)!).join(""), "no tests")
      assert.deepStrictEqual(JSON.parse(JSON.stringify(good.details)), good.details, "details are plain JSON")
    }))

  it.live("rejects a benchmark whose reference fails its tests, naming the question and the assert", () =>
    Effect.gen(function*() {
      const g = yield* grader
      const ok = question("1", "def inc(x):\n    return x + 1\n", "assert inc(1) == 2")
      const broken = question("q7", "def dec(x):\n    return x + 1\n", "assert dec(1) == 0")
      yield* g.checkBenchmark!([ok])
      const error = yield* Effect.flip(g.checkBenchmark!([ok, broken]))
      assert.strictEqual(error._tag, "BenchmarkRejected")
      assert.include(error.problem, "question q7: assert dec(1) == 0 → AssertionError: got 2, expected == 0")
      assert.include(error.hint, "--skip-reference-check")
      const empty = yield* Effect.flip(g.checkBenchmark!([question("e", "x = 1", "  ")]))
      assert.include(empty.problem, "no tests")
    }))

  it.live("without bubblewrap the reference check says how to get it", () =>
    Effect.gen(function*() {
      const g = CodeGrader.make(yield* Sandbox.make({ bwrap: "/nonexistent/bwrap" }))
      const error = yield* Effect.flip(g.checkBenchmark!([question("1", "x = 1", "assert x == 1")]))
      assert.include(error.problem, "bubblewrap")
      assert.include(error.hint, "apt-get install -y bubblewrap")
    }))
})
