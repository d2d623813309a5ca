import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import * as AnswerKind from "../src/AnswerKind.js"
import * as Grader from "../src/Grader.js"
import * as Grading from "../src/Grading.js"
import { extractChoice, parseOptions } from "../src/internal/grading/choice.js"
import { extractLabel, labelSet } from "../src/internal/grading/label.js"
import { evaluateMath, extractMath, normalizeMath } from "../src/internal/grading/math.js"
import { closeEnough, extractNumber, parseNumber } from "../src/internal/grading/number.js"
import { normalizeText } from "../src/internal/grading/text.js"
import { cases } from "./grading-cases.js"

describe("Grading.grade: the grading table", () => {
  it("has at least 150 cases covering every kind and outcome", () => {
    assert.isAtLeast(cases.length, 150)
    for (const kind of AnswerKind.all) {
      assert.isAtLeast(cases.filter((c) => c.kind === kind).length, 20, kind)
    }
    for (const outcome of Grader.Outcome.literals) {
      assert.isTrue(cases.some((c) => c.outcome === outcome), outcome)
    }
  })

  for (const c of cases) {
    it(`${c.kind}: ${JSON.stringify(c.expected)} vs ${JSON.stringify(c.output)} → ${c.outcome} (${c.note})`, () => {
      const grade = Grading.grade(c.kind, c.expected, c.output, c.options)
      assert.strictEqual(grade.outcome, c.outcome)
      assert.strictEqual(grade.grader, c.grader ?? c.kind)
      assert.strictEqual(grade.version, Grading.VERSION)
      if (c.extracted !== undefined) assert.strictEqual(grade.extracted, c.extracted)
      if (grade.outcome === "no_answer") assert.isNull(grade.extracted)
      else assert.isNotNull(grade.extracted)
    })
  }
})

describe("Grading.grade: results", () => {
  it("are valid Grade values", () => {
    const grade = Grading.grade("number", "42", "Answer: 42")
    assert.deepStrictEqual(Schema.decodeUnknownSync(Grader.Grade)(grade), {
      outcome: "correct",
      extracted: "42",
      grader: "number",
      version: Grading.VERSION
    })
  })

  it("grade an already extracted answer like the raw output it came from", () => {
    const raw = "Let me work it out.\n17 + 25 = 42\nAnswer: 42"
    assert.deepStrictEqual(Grading.grade("number", "42", raw), Grading.grade("number", "42", "42"))
  })

  it("isCorrect reads the outcome", () => {
    assert.isTrue(Grading.grade("text", "Paris", "paris").outcome === "correct")
    assert.isFalse(Grading.grade("text", "Paris", "").outcome === "correct")
  })
})

describe("grading extractors (internal)", () => {
  it("extractChoice", () => {
    assert.strictEqual(extractChoice("Answer: (C) Nitrogen"), "C")
    assert.strictEqual(extractChoice("Because"), null)
    assert.strictEqual(
      extractChoice("Ribosome", "Q?\n(A) Nucleus\n(B) Mitochondria\n(C) Ribosome"),
      "C"
    )
  })

  it("extractNumber keeps the number as written, without units", () => {
    assert.strictEqual(extractNumber("It costs $1,200 in total."), "1,200")
    assert.strictEqual(extractNumber("Answer: -\\frac{3}{4}"), "-3/4")
    assert.strictEqual(extractNumber("no digits here"), null)
  })

  it("parseNumber reads exactly one number", () => {
    assert.strictEqual(parseNumber("1,200"), 1200)
    assert.strictEqual(parseNumber("−3/4"), -0.75)
    assert.strictEqual(parseNumber("50%"), 50)
    assert.strictEqual(parseNumber("1.5e-3"), 0.0015)
    assert.strictEqual(parseNumber("1 and 2"), null)
    assert.strictEqual(parseNumber("Paris"), null)
  })

  it("extractLabel returns the label as spelled in the set", () => {
    assert.strictEqual(extractLabel("so it is UNCERTAIN", ["True", "False", "Uncertain"]), "Uncertain")
    assert.strictEqual(extractLabel("nothing here", ["True", "False"]), null)
  })

  it("labelSet picks the vocabulary of the expected label, or the given set", () => {
    assert.deepStrictEqual(labelSet("maybe"), ["Yes", "No", "Maybe"])
    assert.deepStrictEqual(labelSet("Valid", ["Valid", "Invalid"]), ["Valid", "Invalid"])
    assert.deepStrictEqual(labelSet("Plausible", ["Likely"]), ["Likely", "Plausible"])
    assert.deepStrictEqual(labelSet("Sunny"), ["Sunny"])
  })

  it("extractMath takes the box content with nested braces", () => {
    assert.strictEqual(extractMath("Thus \\boxed{\\frac{\\sqrt{2}}{2}}."), "\\frac{\\sqrt{2}}{2}")
    assert.strictEqual(extractMath("Unclosed \\boxed{\\frac{1}{2}"), null)
  })

  it("normalizeMath", () => {
    assert.strictEqual(normalizeMath("\\left( \\dfrac{1}{2}, x^{2} \\right)."), "(\\frac{1}{2},x^2)")
    assert.strictEqual(normalizeMath("$\\tfrac12$"), "\\frac{1}{2}")
    assert.strictEqual(normalizeMath("y = 3\\,\\text{ m}"), "3")
  })

  it("evaluateMath evaluates simple numeric forms and leaves symbols alone", () => {
    assert.strictEqual(evaluateMath("\\frac{1}{2}"), 0.5)
    assert.strictEqual(evaluateMath("\\sqrt{4}"), 2)
    assert.strictEqual(evaluateMath("\\sqrt[3]{27}"), 3)
    assert.strictEqual(evaluateMath("-2^2+3\\cdot4"), 8)
    assert.strictEqual(evaluateMath("2(3+1)"), 8)
    assert.strictEqual(evaluateMath("2\\pi"), null)
    assert.strictEqual(evaluateMath("(1,2)"), null)
    assert.strictEqual(evaluateMath(""), null)
  })

  it("normalizeText", () => {
    assert.strictEqual(normalizeText("  The  Beatles! "), "beatles")
    assert.strictEqual(normalizeText("Zürich, Switzerland"), "zurich switzerland")
  })

  it("parseOptions reads option lines and inline options", () => {
    assert.deepStrictEqual(
      [...parseOptions("Q?\n(A) Nucleus\nB) Mitochondria\nC. Ribosome").entries()],
      [["A", "Nucleus"], ["B", "Mitochondria"], ["C", "Ribosome"]]
    )
    assert.deepStrictEqual(
      [...parseOptions("Largest? (A) Mars (B) Jupiter").entries()],
      [["A", "Mars"], ["B", "Jupiter"]]
    )
  })

  it("closeEnough uses relative and absolute tolerance", () => {
    assert.isTrue(closeEnough(1e6, 1e6 + 0.5))
    assert.isFalse(closeEnough(1e6, 1e6 + 2))
    assert.isTrue(closeEnough(0, 1e-10))
    assert.isFalse(closeEnough(0, 1e-3))
    assert.isTrue(closeEnough(0, 1e-3, 1e-6, 1e-2))
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
      for (const a of answers) assert.isNotNull(parseNumber(a), a)
    }
  })

  it("kinds are open strings a registry checks, in a fixed spelling", () => {
    assert.strictEqual(Schema.decodeUnknownSync(AnswerKind.AnswerKind)("math"), "math")
    assert.throws(() => Schema.decodeUnknownSync(AnswerKind.AnswerKind)("Essay kind!"))
  })
})
