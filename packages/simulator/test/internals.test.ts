/**
 * Unit checks of the internals the HTTP tests lean on: the answer-key index and
 * the price formatting of /models.
 */
import { describe, expect, it } from "vitest"
import { AnswerKey } from "../src/internal/AnswerKey.js"
import { priceString } from "../src/internal/Models.js"

describe("AnswerKey", () => {
  it("finds questions by any of their lines, and not partial ones", () => {
    const key = AnswerKey.build([
      { question: "Line one of a long question\nline two\nline three", answer: "X" },
      { question: "Short?", answer: "Y" }
    ])
    expect(key.find("prefix\nLine one of a long question\nline two\nline three\nsuffix")?.answer).toBe("X")
    expect(key.find("Line one of a long question\nline two")).toBeUndefined()
    expect(key.find("Question: Short?")?.answer).toBe("Y")
    expect(key.find("Nothing here")).toBeUndefined()
  })

  it("lets a later pair with the same question win", () => {
    const key = AnswerKey.build([
      { question: "Q?", answer: "old" },
      { question: " Q? ", answer: "new" }
    ])
    expect(key.size).toBe(1)
    expect(key.find("Q?")?.answer).toBe("new")
  })

  it("compares a handful of questions per lookup, not the whole key, even when 50,000 questions share a first line", () => {
    const pairs = Array.from({ length: 50_000 }, (_, i) => ({
      question: `Answer the following question.\nWhat is the code of item ${i}?`,
      answer: String(i)
    }))
    const key = AnswerKey.build(pairs)
    const prompt = (i: number) => `${"Some instructions.\n".repeat(50)}Answer the following question.\nWhat is the code of item ${i}?\nThanks.`
    const stats = { checked: 0 }
    for (let i = 0; i < 2_000; i++) {
      expect(key.find(prompt((i * 7919) % 50_000), stats)?.answer).toBe(String((i * 7919) % 50_000))
    }
    // A scan of the key would compare up to 50,000 questions per lookup; the line index compares a few.
    expect(stats.checked).toBeLessThanOrEqual(2_000 * 2)
  })
})

describe("priceString", () => {
  it("writes plain decimals", () => {
    expect(priceString(0.15 / 1e6)).toBe("0.00000015")
    expect(priceString(0.000002)).toBe("0.000002")
    expect(priceString(0)).toBe("0")
    expect(priceString(1.5)).toBe("1.5")
  })
})
