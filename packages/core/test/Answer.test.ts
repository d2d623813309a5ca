import { assert, describe, it } from "@effect/vitest"
import { Answer, Grading } from "../src/index.js"

describe("Answer.extract", () => {
  const cases: ReadonlyArray<readonly [string, string | null]> = [
    ["Answer: B", "B"],
    ["B", "B"],
    ["**Answer:** (C)", "(C)"],
    ["Final answer: 42.", "42"],
    ["Let me think.\nAnswer: 7\nWait, no.\nAnswer: 8", "8"],
    ["The answer is \\boxed{12}", "12"],
    ["Reasoning line one\nreasoning line two", null],
    ["Answer:\n\nParis", "Paris"],
    ["\"Paris\"", "Paris"],
    ["", null],
    ["   ", null],
    ["So the correct answer is True.", "True"],
    ["**Final Answer: B**", "B"],
    ["__Answer:__ 12", "12"],
    ["Adding them up.\nTherefore \\boxed{\\frac{1}{2}}", "\\frac{1}{2}"],
    ["x = 3 so \\boxed{3} and then \\boxed{4}", "4"]
  ]
  for (const [reply, expected] of cases) {
    it(`${JSON.stringify(reply)} → ${JSON.stringify(expected)}`, () => {
      assert.strictEqual(Answer.extract(reply), expected)
    })
  }
})

describe("Grading.isCorrect", () => {
  const cases: ReadonlyArray<readonly [string, string, boolean]> = [
    ["B", "B", true],
    ["B", "(B)", true],
    ["B", "b)", true],
    ["B", "B. Mitochondria", true],
    ["B", "Because", false],
    ["B", "C", false],
    ["42", "42.0", true],
    ["1200", "1,200", true],
    ["-3", "-3", true],
    ["-3", "3", false],
    ["0.5", "0.50", true],
    ["Paris", "paris.", true],
    ["Paris", "Lyon", false],
    ["True", "true", true],
    ["Uncertain", "False", false]
  ]
  for (const [expected, answer, correct] of cases) {
    it(`${expected} vs ${answer} → ${correct}`, () => {
      assert.strictEqual(Grading.isCorrect(expected, answer), correct)
    })
  }
})
