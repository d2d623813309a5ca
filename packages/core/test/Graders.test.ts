import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import * as AnswerKind from "../src/AnswerKind.js"
import * as Graders from "../src/Graders.js"
import { cases } from "./grading-cases.js"

describe("Graders.grade: the grading table", () => {
  it("has at least 150 cases covering every kind and outcome", () => {
    assert.isAtLeast(cases.length, 150)
    for (const kind of AnswerKind.all) {
      assert.isAtLeast(cases.filter((c) => c.kind === kind).length, 20, kind)
    }
    for (const outcome of Graders.Outcome.literals) {
      assert.isTrue(cases.some((c) => c.outcome === outcome), outcome)
    }
  })

  for (const c of cases) {
    it(`${c.kind}: ${JSON.stringify(c.expected)} vs ${JSON.stringify(c.output)} → ${c.outcome} (${c.note})`, () => {
      const grade = Graders.grade(c.kind, c.expected, c.output, c.options)
      assert.strictEqual(grade.outcome, c.outcome)
      assert.strictEqual(grade.grader, c.grader ?? c.kind)
      assert.strictEqual(grade.version, Graders.VERSION)
      if (c.extracted !== undefined) assert.strictEqual(grade.extracted, c.extracted)
      if (grade.outcome === "no_answer") assert.isNull(grade.extracted)
      else assert.isNotNull(grade.extracted)
    })
  }
})

describe("Graders.grade: results", () => {
  it("are valid Grade values", () => {
    const grade = Graders.grade("number", "42", "Answer: 42")
    assert.deepStrictEqual(Schema.decodeUnknownSync(Graders.Grade)(grade), {
      outcome: "correct",
      extracted: "42",
      grader: "number",
      version: Graders.VERSION
    })
  })

  it("grade an already extracted answer like the raw output it came from", () => {
    const raw = "Let me work it out.\n17 + 25 = 42\nAnswer: 42"
    assert.deepStrictEqual(Graders.grade("number", "42", raw), Graders.grade("number", "42", "42"))
  })

  it("isCorrect reads the outcome", () => {
    assert.isTrue(Graders.isCorrect(Graders.grade("text", "Paris", "paris")))
    assert.isFalse(Graders.isCorrect(Graders.grade("text", "Paris", "")))
  })
})

describe("Graders extractors", () => {
  it("extractChoice", () => {
    assert.strictEqual(Graders.extractChoice("Answer: (C) Nitrogen"), "C")
    assert.strictEqual(Graders.extractChoice("Because"), null)
    assert.strictEqual(
      Graders.extractChoice("Ribosome", { question: "Q?\n(A) Nucleus\n(B) Mitochondria\n(C) Ribosome" }),
      "C"
    )
  })

  it("extractNumber keeps the number as written, without units", () => {
    assert.strictEqual(Graders.extractNumber("It costs $1,200 in total."), "1,200")
    assert.strictEqual(Graders.extractNumber("Answer: -\\frac{3}{4}"), "-3/4")
    assert.strictEqual(Graders.extractNumber("no digits here"), null)
  })

  it("parseNumber reads exactly one number", () => {
    assert.strictEqual(Graders.parseNumber("1,200"), 1200)
    assert.strictEqual(Graders.parseNumber("−3/4"), -0.75)
    assert.strictEqual(Graders.parseNumber("50%"), 50)
    assert.strictEqual(Graders.parseNumber("1.5e-3"), 0.0015)
    assert.strictEqual(Graders.parseNumber("1 and 2"), null)
    assert.strictEqual(Graders.parseNumber("Paris"), null)
  })

  it("extractLabel returns the label as spelled in the set", () => {
    assert.strictEqual(Graders.extractLabel("so it is UNCERTAIN", ["True", "False", "Uncertain"]), "Uncertain")
    assert.strictEqual(Graders.extractLabel("nothing here", ["True", "False"]), null)
  })

  it("labelSet picks the vocabulary of the expected label, or the given set", () => {
    assert.deepStrictEqual(Graders.labelSet("maybe"), ["Yes", "No", "Maybe"])
    assert.deepStrictEqual(Graders.labelSet("Valid", ["Valid", "Invalid"]), ["Valid", "Invalid"])
    assert.deepStrictEqual(Graders.labelSet("Plausible", ["Likely"]), ["Likely", "Plausible"])
    assert.deepStrictEqual(Graders.labelSet("Sunny"), ["Sunny"])
  })

  it("extractMath takes the box content with nested braces", () => {
    assert.strictEqual(Graders.extractMath("Thus \\boxed{\\frac{\\sqrt{2}}{2}}."), "\\frac{\\sqrt{2}}{2}")
    assert.strictEqual(Graders.extractMath("Unclosed \\boxed{\\frac{1}{2}"), null)
  })

  it("normalizeMath", () => {
    assert.strictEqual(Graders.normalizeMath("\\left( \\dfrac{1}{2}, x^{2} \\right)."), "(\\frac{1}{2},x^2)")
    assert.strictEqual(Graders.normalizeMath("$\\tfrac12$"), "\\frac{1}{2}")
    assert.strictEqual(Graders.normalizeMath("y = 3\\,\\text{ m}"), "3")
  })

  it("evaluateMath evaluates simple numeric forms and leaves symbols alone", () => {
    assert.strictEqual(Graders.evaluateMath("\\frac{1}{2}"), 0.5)
    assert.strictEqual(Graders.evaluateMath("\\sqrt{4}"), 2)
    assert.strictEqual(Graders.evaluateMath("\\sqrt[3]{27}"), 3)
    assert.strictEqual(Graders.evaluateMath("-2^2+3\\cdot4"), 8)
    assert.strictEqual(Graders.evaluateMath("2(3+1)"), 8)
    assert.strictEqual(Graders.evaluateMath("2\\pi"), null)
    assert.strictEqual(Graders.evaluateMath("(1,2)"), null)
    assert.strictEqual(Graders.evaluateMath(""), null)
  })

  it("normalizeText", () => {
    assert.strictEqual(Graders.normalizeText("  The  Beatles! "), "beatles")
    assert.strictEqual(Graders.normalizeText("Zürich, Switzerland"), "zurich switzerland")
  })

  it("parseOptions reads option lines and inline options", () => {
    assert.deepStrictEqual(
      [...Graders.parseOptions("Q?\n(A) Nucleus\nB) Mitochondria\nC. Ribosome").entries()],
      [["A", "Nucleus"], ["B", "Mitochondria"], ["C", "Ribosome"]]
    )
    assert.deepStrictEqual(
      [...Graders.parseOptions("Largest? (A) Mars (B) Jupiter").entries()],
      [["A", "Mars"], ["B", "Jupiter"]]
    )
  })

  it("closeEnough uses relative and absolute tolerance", () => {
    assert.isTrue(Graders.closeEnough(1e6, 1e6 + 0.5))
    assert.isFalse(Graders.closeEnough(1e6, 1e6 + 2))
    assert.isTrue(Graders.closeEnough(0, 1e-10))
    assert.isFalse(Graders.closeEnough(0, 1e-3))
    assert.isTrue(Graders.closeEnough(0, 1e-3, 1e-6, 1e-2))
  })
})

describe("AnswerKind.detect", () => {
  const sets: ReadonlyArray<readonly [string, ReadonlyArray<string>, AnswerKind.AnswerKind]> = [
    ["GPQA-style letters", ["C", "A", "B", "D", "C", "A"], "multiple_choice"],
    ["MMLU-Pro letters up to J", ["J", "E", "I", "A", "F"], "multiple_choice"],
    ["bracketed and lower-case letters", ["(A)", "(c)", " B "], "multiple_choice"],
    ["arithmetic answers", ["42", "-250", "-8", "60", "14", "3.75", "1200"], "number"],
    ["numbers in many notations", ["1,200", "3/4", "50%", "−3", "1.5e-3", "$40", "+7"], "number"],
    ["FOLIO labels", ["True", "False", "Uncertain", "True", "False", "Uncertain", "True"], "label"],
    ["a small FOLIO sample, each once", ["True", "False", "Uncertain"], "label"],
    ["yes/no in mixed case", ["yes", "No", "YES", "no", "Yes"], "label"],
    ["NLI labels", ["entailment", "neutral", "contradiction"], "label"],
    ["a repeated custom label set", ["Up", "Down", "Flat", "Up", "Down", "Flat"], "label"],
    ["MATH answers", ["\\frac{1}{2}", "3", "2\\sqrt{3}", "x^2+1", "(1,2)", "\\pi"], "math"],
    ["boxed answers", ["\\boxed{5}", "\\boxed{\\frac{3}{4}}"], "math"],
    [
      "MATH answers with words and intervals",
      ["\\text{Monday}", "5", "\\frac{\\sqrt{3}}{2}", "\\left(-\\infty, -\\frac{1}{2}\\right) \\cup (3, \\infty)"],
      "math"
    ],
    ["a QA benchmark with one formula", ["Paris", "Tokyo", "x^2", "Cairo"], "text"],
    ["capitals and authors", ["Paris", "Tokyo", "Ottawa", "Cairo", "Jane Austen", "George Orwell", "Au"], "text"],
    ["labels seen once each, not a known vocabulary", ["Red", "Green", "Blue"], "text"],
    ["more than six distinct repeated values", ["a1", "b1"].flatMap(() => ["One", "Two", "Three", "Four", "Five", "Six", "Seven"]), "text"],
    ["letters mixed with words", ["A", "B", "Paris"], "text"],
    ["code with a stray ^", ["def f(a, b):\n    return a ^ b  # bitwise exclusive or of the inputs"], "text"],
    ["no answers", [], "text"],
    ["blank answers only", ["", "  "], "text"]
  ]
  for (const [name, answers, kind] of sets) {
    it(`${name} → ${kind}`, () => {
      assert.strictEqual(AnswerKind.detect(answers), kind)
    })
  }

  it("every answer detected as a number is read by the number grader", () => {
    for (const [, answers, kind] of sets) {
      if (kind !== "number") continue
      for (const a of answers) assert.isNotNull(Graders.parseNumber(a), a)
    }
  })

  it("kinds are open strings a registry checks, in a fixed spelling", () => {
    assert.strictEqual(Schema.decodeUnknownSync(AnswerKind.AnswerKind)("math"), "math")
    assert.throws(() => Schema.decodeUnknownSync(AnswerKind.AnswerKind)("Essay kind!"))
  })
})
