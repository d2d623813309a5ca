import { assert, describe, it } from "@effect/vitest"
import * as Statistics from "../src/Statistics.js"

/** Rounds to 4 decimals, the precision the hand computations below are written with. */
const r4 = (x: number): number => Math.round(x * 1e4) / 1e4

/** `n` paired results where A is right on 8 questions in 10 and B on 7 in 10, B's right ones a subset of A's. */
const pairs = (n: number): { a: Array<0 | 1>; b: Array<0 | 1> } => ({
  a: Array.from({ length: n }, (_, i) => (i % 10 < 8 ? 1 : 0)),
  b: Array.from({ length: n }, (_, i) => (i % 10 < 7 ? 1 : 0))
})

describe("Statistics.normalQuantile", () => {
  it("matches tabulated quantiles", () => {
    // Standard normal tables: Φ⁻¹(0.975) = 1.959964, Φ⁻¹(0.995) = 2.575829, Φ⁻¹(0.5) = 0, Φ⁻¹(0.01) = −2.326348.
    assert.closeTo(Statistics.normalQuantile(0.975), 1.959964, 1e-6)
    assert.closeTo(Statistics.normalQuantile(0.995), 2.575829, 1e-6)
    assert.closeTo(Statistics.normalQuantile(0.5), 0, 1e-12)
    assert.closeTo(Statistics.normalQuantile(0.01), -2.326348, 1e-6)
  })
})

describe("Statistics.wilson", () => {
  it("81/100 at 95%", () => {
    // z = 1.959964, z² = 3.841459, p̂ = 0.81, n = 100
    // denominator = 1 + z²/n = 1.0384146
    // centre = (0.81 + 3.841459/200) / 1.0384146 = 0.8292073 / 1.0384146 = 0.7985320
    // half = 1.959964 / 1.0384146 · √(0.81·0.19/100 + 3.841459/40000)
    //      = 1.8874583 · √(0.001539 + 0.0000960) = 1.8874583 · 0.0404356 = 0.0763205
    // [0.7985320 − 0.0763205, 0.7985320 + 0.0763205] = [0.7222, 0.8749]
    const ci = Statistics.wilson(81, 100)
    assert.strictEqual(ci.estimate, 0.81)
    assert.strictEqual(r4(ci.lower), 0.7222)
    assert.strictEqual(r4(ci.upper), 0.8749)
  })

  it("0/10 and 10/10 at 95%", () => {
    // p̂ = 0: lower = 0, upper = z²/(n + z²) = 3.841459/13.841459 = 0.2775
    const none = Statistics.wilson(0, 10)
    assert.strictEqual(none.lower, 0)
    assert.strictEqual(r4(none.upper), 0.2775)
    // p̂ = 1: upper = 1, lower = n/(n + z²) = 10/13.841459 = 0.7225
    const all = Statistics.wilson(10, 10)
    assert.strictEqual(all.upper, 1)
    assert.strictEqual(r4(all.lower), 0.7225)
  })

  it("50/100 at 99%", () => {
    // z = 2.575829, z² = 6.634897, denominator = 1.0663490, centre = 0.5 (symmetric)
    // half = 2.575829/1.0663490 · √(0.25/100 + 6.634897/40000) = 2.4155564 · 0.0516325 = 0.1247213
    // [0.5 − 0.1247, 0.5 + 0.1247] = [0.3753, 0.6247]
    const ci = Statistics.wilson(50, 100, 0.99)
    assert.strictEqual(r4(ci.lower), 0.3753)
    assert.strictEqual(r4(ci.upper), 0.6247)
  })

  it("n = 0 gives [0, 1]", () => {
    assert.deepStrictEqual(Statistics.wilson(0, 0), { estimate: 0, lower: 0, upper: 1 })
  })

  it("rejects impossible counts", () => {
    assert.throws(() => Statistics.wilson(5, 4), RangeError)
    assert.throws(() => Statistics.wilson(-1, 4), RangeError)
    assert.throws(() => Statistics.wilson(1.5, 4), RangeError)
    assert.throws(() => Statistics.wilson(1, 4, 1), RangeError)
  })
})

describe("Statistics.mcnemarExact", () => {
  it("b = 10, c = 2", () => {
    // n = 12, k = 2: P(X ≤ 2) for X ~ Bin(12, ½) = (C(12,0) + C(12,1) + C(12,2)) / 2¹² = (1 + 12 + 66)/4096
    //   = 79/4096 = 0.019287; p = 2 · 79/4096 = 79/2048 = 0.0385742 → 0.0386
    const result = Statistics.mcnemarExact(10, 2)
    assert.strictEqual(result.b, 10)
    assert.strictEqual(result.c, 2)
    assert.closeTo(result.pValue, 79 / 2048, 1e-12)
    assert.strictEqual(r4(result.pValue), 0.0386)
    // The test is two-sided: swapping the evaluations gives the same p.
    assert.closeTo(Statistics.mcnemarExact(2, 10).pValue, 79 / 2048, 1e-12)
  })

  it("small exact cases", () => {
    // b = 0, c = 5: p = 2 · C(5,0)/2⁵ = 2/32 = 0.0625
    assert.closeTo(Statistics.mcnemarExact(0, 5).pValue, 0.0625, 1e-12)
    // b = 3, c = 0: p = 2 · 1/8 = 0.25
    assert.closeTo(Statistics.mcnemarExact(3, 0).pValue, 0.25, 1e-12)
    // b = 1, c = 1: 2 · (1 + 2)/4 = 1.5, capped at 1
    assert.strictEqual(Statistics.mcnemarExact(1, 1).pValue, 1)
  })

  it("symmetric and empty cases give p = 1", () => {
    assert.strictEqual(Statistics.mcnemarExact(7, 7).pValue, 1)
    assert.strictEqual(Statistics.mcnemarExact(0, 0).pValue, 1)
  })

  it("large n does not overflow", () => {
    // b = 50,500, c = 49,500, n = 100,000. Normal approximation with continuity correction:
    //   z = (49,500.5 − 50,000) / √(100,000 · ¼) = −499.5 / 158.1139 = −3.1591
    //   p ≈ 2 Φ(−3.1591) = 2 · 0.00079124 = 0.0015825
    // (the exact binomial value is 0.00158236); a factorial-based computation overflows here.
    const large = Statistics.mcnemarExact(50_500, 49_500)
    assert.isTrue(Number.isFinite(large.pValue))
    assert.closeTo(large.pValue, 0.0015825, 0.0000050)
    assert.strictEqual(Statistics.mcnemarExact(50_000, 50_000).pValue, 1)
    // 2 · 2^−100,000 underflows to 0, which is the right double; it must not be NaN.
    assert.strictEqual(Statistics.mcnemarExact(100_000, 0).pValue, 0)
  })

  it("logFactorial is exact for small n and continuous past the table", () => {
    // ln 10! = ln 3,628,800 = 15.1044
    assert.closeTo(Statistics.logFactorial(10), Math.log(3_628_800), 1e-12)
    // ln 257! = ln 256! + ln 257, across the switch to Stirling's series.
    assert.closeTo(Statistics.logFactorial(257) - Statistics.logFactorial(256), Math.log(257), 1e-9)
  })
})

describe("Statistics.pairedBootstrap", () => {
  it("with a fixed seed: deterministic, around the observed difference, close to the normal approximation", () => {
    const { a, b } = pairs(200)
    // Observed: mean(a) − mean(b) = 160/200 − 140/200 = 0.1.
    // Per-question differences d are 1 on 20 questions and 0 on 180: var(d) = 0.1 − 0.1² = 0.09,
    // standard error = √(0.09/200) = 0.0212; normal 95% interval 0.1 ± 1.96 · 0.0212 = [0.0584, 0.1416].
    const first = Statistics.pairedBootstrap(a, b, { seed: 42 })
    const second = Statistics.pairedBootstrap(a, b, { seed: 42 })
    assert.deepStrictEqual(first, second)
    assert.closeTo(first.difference, 0.1, 1e-12)
    assert.isTrue(first.lower <= first.difference && first.difference <= first.upper)
    assert.closeTo(first.lower, 0.0584, 0.01)
    assert.closeTo(first.upper, 0.1416, 0.01)
    // The exact values this seed gives (a regression guard for the generator and the quantiles).
    assert.deepStrictEqual({ lower: first.lower, upper: first.upper }, { lower: 0.06, upper: 0.145 })
  })

  it("other seeds give similar intervals", () => {
    const { a, b } = pairs(200)
    const one = Statistics.pairedBootstrap(a, b, { seed: 1 })
    const two = Statistics.pairedBootstrap(a, b, { seed: 2 })
    assert.closeTo(one.lower, two.lower, 0.01)
    assert.closeTo(one.upper, two.upper, 0.01)
  })

  it("is narrower with more questions", () => {
    const small = pairs(100)
    const big = pairs(2_000)
    const s = Statistics.pairedBootstrap(small.a, small.b, { seed: 7, iterations: 2_000 })
    const l = Statistics.pairedBootstrap(big.a, big.b, { seed: 7, iterations: 2_000 })
    // Widths scale like 1/√n: about 2 · 1.96 · √(0.09/100) = 0.118 against 0.026.
    assert.isBelow(l.upper - l.lower, (s.upper - s.lower) / 2)
  })

  it("identical evaluations and one-sided ones have degenerate intervals", () => {
    const same: Array<0 | 1> = [1, 0, 1, 1, 0]
    assert.deepStrictEqual(Statistics.pairedBootstrap(same, same, { seed: 3 }), { difference: 0, lower: 0, upper: 0 })
    assert.deepStrictEqual(
      Statistics.pairedBootstrap([1, 1, 1], [0, 0, 0], { seed: 3 }),
      { difference: 1, lower: 1, upper: 1 }
    )
  })

  it("no questions: difference 0 in [−1, 1]; unequal lengths are rejected", () => {
    assert.deepStrictEqual(Statistics.pairedBootstrap([], []), { difference: 0, lower: -1, upper: 1 })
    assert.throws(() => Statistics.pairedBootstrap([1], [1, 0]), RangeError)
  })
})

describe("Statistics.mulberry32", () => {
  it("is deterministic per seed and uniform in [0, 1)", () => {
    const one = Statistics.mulberry32(123)
    const again = Statistics.mulberry32(123)
    const xs = Array.from({ length: 10_000 }, () => one())
    assert.deepStrictEqual(Array.from({ length: 10_000 }, () => again()), xs)
    assert.isTrue(xs.every((x) => x >= 0 && x < 1))
    // The mean of 10,000 uniforms is 0.5 with standard error √(1/12/10,000) = 0.0029.
    assert.closeTo(xs.reduce((s, x) => s + x, 0) / xs.length, 0.5, 0.012)
  })
})

describe("Statistics.comparePaired", () => {
  it("combines Wilson, bootstrap and McNemar on the same pairs", () => {
    const { a, b } = pairs(100)
    const result = Statistics.comparePaired(a, b, { seed: 5, iterations: 1_000 })
    assert.strictEqual(result.n, 100)
    assert.strictEqual(result.accuracyA.estimate, 0.8)
    assert.strictEqual(result.accuracyB.estimate, 0.7)
    // A right and B wrong on 10 questions, the reverse on none: p = 2 · 1/2¹⁰ = 0.001953
    assert.deepStrictEqual(result.mcnemar, { b: 10, c: 0, pValue: 2 / 1024 })
    assert.closeTo(result.difference.difference, 0.1, 1e-12)
  })
})

describe("Statistics.passAtK", () => {
  it("matches hand-computed values of 1 − C(n−c, k)/C(n, k)", () => {
    // n = 5, c = 2, k = 1: 1 − C(3,1)/C(5,1) = 1 − 3/5 = 0.4 (pass@1 is c/n)
    assert.closeTo(Statistics.passAtK(5, 2, 1), 0.4, 1e-12)
    // n = 5, c = 2, k = 2: 1 − C(3,2)/C(5,2) = 1 − 3/10 = 0.7
    assert.closeTo(Statistics.passAtK(5, 2, 2), 0.7, 1e-12)
    // n = 10, c = 3, k = 5: 1 − C(7,5)/C(10,5) = 1 − 21/252 = 0.916666…
    assert.closeTo(Statistics.passAtK(10, 3, 5), 1 - 21 / 252, 1e-12)
    // n = 20, c = 4, k = 10: 1 − C(16,10)/C(20,10) = 1 − 8008/184756 = 0.956656…
    assert.closeTo(Statistics.passAtK(20, 4, 10), 1 - 8008 / 184756, 1e-12)
  })

  it("is 0 with no passing sample, and 1 when every draw of k must hold a pass", () => {
    assert.strictEqual(Statistics.passAtK(7, 0, 3), 0)
    assert.strictEqual(Statistics.passAtK(7, 7, 3), 1)
    // n − c = 2 < k = 3: C(2,3) = 0
    assert.strictEqual(Statistics.passAtK(5, 3, 3), 1)
  })

  it("stays exact where the binomial coefficients overflow a double", () => {
    // C(1999, 1000)/C(2000, 1000) = (2000 − 1000)/2000 = 0.5, though C(2000, 1000) ≈ 2e600
    assert.closeTo(Statistics.passAtK(2000, 1, 1000), 0.5, 1e-12)
    // n = 1000, c = 10, k = 1: c/n
    assert.closeTo(Statistics.passAtK(1000, 10, 1), 0.01, 1e-12)
  })

  it("refuses impossible arguments", () => {
    assert.throws(() => Statistics.passAtK(3, 4, 1), RangeError)
    assert.throws(() => Statistics.passAtK(3, 1, 4), RangeError)
    assert.throws(() => Statistics.passAtK(3, 1, 0), RangeError)
    assert.throws(() => Statistics.passAtK(3, 1.5, 1), RangeError)
  })

  it("averages over the questions that have at least k samples", () => {
    // (0.7 + 1 − C(2,2)/C(4,2)) / 2 = (0.7 + 5/6) / 2; the question with 1 sample is left out
    const mean = Statistics.meanPassAtK([{ n: 5, c: 2 }, { n: 4, c: 2 }, { n: 1, c: 1 }], 2)
    assert.strictEqual(mean.questions, 2)
    assert.closeTo(mean.estimate, (0.7 + 5 / 6) / 2, 1e-12)
    assert.deepStrictEqual(Statistics.meanPassAtK([{ n: 1, c: 0 }], 2), { k: 2, estimate: 0, questions: 0 })
  })
})
