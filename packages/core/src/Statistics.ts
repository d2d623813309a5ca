/**
 * The statistics behind accuracy figures and comparisons: a Wilson score interval for one
 * accuracy, an exact McNemar test and a paired bootstrap interval for two evaluations answered
 * on the same questions, and the unbiased pass@k estimator for several samples per question. Pure and deterministic (the bootstrap draws from a seeded generator), so
 * a published number can be recomputed exactly. Invalid arguments (negative counts, lengths that
 * differ, a confidence outside (0, 1)) throw a RangeError: they are bugs in the caller.
 */

/** An estimate with a confidence interval. */
export interface Interval {
  readonly estimate: number
  readonly lower: number
  readonly upper: number
}

/** The result of McNemar's exact test on the discordant pairs. */
export interface McNemar {
  /** Questions A answered correctly and B did not. */
  readonly b: number
  /** Questions B answered correctly and A did not. */
  readonly c: number
  /** Two-sided p-value. */
  readonly pValue: number
}

/** A paired bootstrap interval for mean(a) − mean(b). */
export interface BootstrapInterval {
  readonly difference: number
  readonly lower: number
  readonly upper: number
}

/** Bootstrap settings. */
export interface BootstrapOptions {
  /** Number of resamples (default 10,000). */
  readonly iterations?: number | undefined
  /** Confidence level of the interval (default 0.95). */
  readonly confidence?: number | undefined
  /** Seed of the pseudo-random generator (default 0x5eed): the same seed gives the same interval. */
  readonly seed?: number | undefined
}

const checkConfidence = (confidence: number): void => {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`)
}

const checkCount = (name: string, value: number): void => {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`)
}

/**
 * The standard normal quantile Φ⁻¹(p), by Acklam's rational approximation (relative error below
 * 1.2e-9), e.g. normalQuantile(0.975) = 1.959964.
 */
export const normalQuantile = (p: number): number => {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`)
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239]
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1]
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783]
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416]
  const low = 0.02425
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p))
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
  }
  if (p > 1 - low) return -normalQuantile(1 - p)
  const q = p - 0.5
  const r = q * q
  return (((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
}

/**
 * The Wilson score interval for a proportion of `successes` out of `n` (Wilson, 1927), with
 * z = Φ⁻¹(1 − (1 − confidence)/2) and p̂ = successes/n:
 *
 *   centre = (p̂ + z²/(2n)) / (1 + z²/n)
 *   half   = z / (1 + z²/n) · √(p̂(1 − p̂)/n + z²/(4n²))
 *   [lower, upper] = [centre − half, centre + half], clamped to [0, 1]
 *
 * The estimate is p̂. With n = 0 nothing is known: estimate 0 and the interval [0, 1].
 */
export const wilson = (successes: number, n: number, confidence = 0.95): Interval => {
  checkCount("n", n)
  checkCount("successes", successes)
  if (successes > n) throw new RangeError(`successes (${successes}) exceed n (${n})`)
  checkConfidence(confidence)
  if (n === 0) return { estimate: 0, lower: 0, upper: 1 }
  const z = normalQuantile(1 - (1 - confidence) / 2)
  const p = successes / n
  const z2 = z * z
  const denominator = 1 + z2 / n
  const centre = (p + z2 / (2 * n)) / denominator
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))
  return {
    estimate: p,
    lower: successes === 0 ? 0 : Math.max(0, centre - half),
    upper: successes === n ? 1 : Math.min(1, centre + half)
  }
}

const smallLogFactorials: Array<number> = [0]
for (let i = 1; i <= 256; i++) smallLogFactorials.push(smallLogFactorials[i - 1]! + Math.log(i))

/**
 * ln(n!) for a non-negative integer n: summed exactly up to 256, beyond by Stirling's series
 * n ln n − n + ½ ln(2πn) + 1/(12n) − 1/(360n³) + 1/(1260n⁵) − 1/(1680n⁷) (error below 1e-25).
 */
export const logFactorial = (n: number): number => {
  checkCount("n", n)
  if (n <= 256) return smallLogFactorials[n]!
  const n2 = n * n
  return n * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI * n) +
    (1 / 12 - (1 / 360 - (1 / 1260 - 1 / (1680 * n2)) / n2) / n2) / n
}

/** ln C(n, k). */
const logChoose = (n: number, k: number): number => logFactorial(n) - logFactorial(k) - logFactorial(n - k)

/**
 * McNemar's exact test: under the null hypothesis each discordant pair goes either way with
 * probability ½, so with n = b + c and k = min(b, c)
 *
 *   p = min(1, 2 · Σ_{i=0..k} C(n, i) / 2ⁿ)
 *
 * computed in log space (ln C(n, i) from log-factorials, summed with log-sum-exp), so it stays accurate
 * for n in the hundreds of thousands. With no discordant pairs p = 1.
 */
export const mcnemarExact = (b: number, c: number): McNemar => {
  checkCount("b", b)
  checkCount("c", c)
  const n = b + c
  if (n === 0) return { b, c, pValue: 1 }
  const k = Math.min(b, c)
  const logTerms: Array<number> = []
  for (let i = 0; i <= k; i++) logTerms.push(logChoose(n, i) - n * Math.LN2)
  let max = -Infinity
  for (const t of logTerms) max = Math.max(max, t)
  let sum = 0
  for (const t of logTerms) sum += Math.exp(t - max)
  const pValue = Math.min(1, 2 * Math.exp(max + Math.log(sum)))
  return { b, c, pValue }
}

/**
 * The mulberry32 pseudo-random generator: a function returning uniform numbers in [0, 1),
 * the same sequence for the same 32-bit seed.
 */
export const mulberry32 = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The q-quantile of sorted values, interpolating linearly between order statistics (Hyndman–Fan type 7). */
const quantile = (sorted: Float64Array, q: number): number => {
  const h = (sorted.length - 1) * q
  const lo = Math.floor(h)
  const hi = Math.min(lo + 1, sorted.length - 1)
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!)
}

/**
 * A paired bootstrap interval for the difference in accuracy mean(a) − mean(b), where a[i] and
 * b[i] grade the same question i (1 correct, 0 not). Each of `iterations` resamples draws n
 * question indices with replacement (from mulberry32 seeded with `seed`) and takes the mean of
 * a[j] − b[j] over them; the interval is the (1 − confidence)/2 and (1 + confidence)/2
 * percentiles of those means (type-7 quantiles). Pairing keeps each question's two results
 * together, which is what makes the interval honest for evaluations on the same questions.
 * With no questions the difference is 0 and the interval is [−1, 1]. Cost: iterations × n draws.
 */
export const pairedBootstrap = (
  a: ReadonlyArray<0 | 1>,
  b: ReadonlyArray<0 | 1>,
  options: BootstrapOptions = {}
): BootstrapInterval => {
  const { confidence = 0.95, iterations = 10_000, seed = 0x5eed } = options
  if (a.length !== b.length) throw new RangeError(`paired samples differ in length: ${a.length} and ${b.length}`)
  checkConfidence(confidence)
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError(`iterations must be a positive integer, got ${iterations}`)
  const n = a.length
  const d = new Float64Array(n)
  for (let i = 0; i < n; i++) d[i] = a[i]! - b[i]!
  return bootstrapMean(d, { confidence, iterations, seed })
}

/**
 * A bootstrap interval for the mean of per-question differences d[i] (each in [−1, 1]): the
 * resampling of `pairedBootstrap`, whose d[i] is a[i] − b[i]. With repeated runs, d[i] is the
 * difference of question i's mean scores over the repeats, so a question's repeats are resampled
 * together (a cluster bootstrap over questions, not over rows). With no questions the difference
 * is 0 and the interval is [−1, 1].
 */
export const bootstrapMean = (d: ArrayLike<number>, options: BootstrapOptions = {}): BootstrapInterval => {
  const { confidence = 0.95, iterations = 10_000, seed = 0x5eed } = options
  checkConfidence(confidence)
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError(`iterations must be a positive integer, got ${iterations}`)
  const n = d.length
  if (n === 0) return { difference: 0, lower: -1, upper: 1 }
  let total = 0
  for (let i = 0; i < n; i++) total += d[i]!
  const random = mulberry32(seed)
  const means = new Float64Array(iterations)
  for (let r = 0; r < iterations; r++) {
    let sum = 0
    for (let i = 0; i < n; i++) sum += d[Math.floor(random() * n)]!
    means[r] = sum / n
  }
  means.sort()
  const alpha = (1 - confidence) / 2
  return { difference: total / n, lower: quantile(means, alpha), upper: quantile(means, 1 - alpha) }
}

/** Everything a paired comparison of two evaluations reports. */
export interface PairedComparison {
  /** Questions both evaluations answered (the pairs). */
  readonly n: number
  readonly accuracyA: Interval
  readonly accuracyB: Interval
  /** mean(a) − mean(b) with its paired bootstrap interval. */
  readonly difference: BootstrapInterval
  readonly mcnemar: McNemar
}

/**
 * Compares two evaluations graded on the same questions (a[i], b[i] for question i): Wilson
 * intervals for each accuracy, a paired bootstrap interval for the difference and McNemar's
 * exact test.
 */
export const comparePaired = (
  a: ReadonlyArray<0 | 1>,
  b: ReadonlyArray<0 | 1>,
  options: BootstrapOptions = {}
): PairedComparison => {
  if (a.length !== b.length) throw new RangeError(`paired samples differ in length: ${a.length} and ${b.length}`)
  let onlyA = 0
  let onlyB = 0
  let correctA = 0
  let correctB = 0
  for (let i = 0; i < a.length; i++) {
    correctA += a[i]!
    correctB += b[i]!
    if (a[i] === 1 && b[i] === 0) onlyA++
    if (a[i] === 0 && b[i] === 1) onlyB++
  }
  const confidence = options.confidence ?? 0.95
  return {
    n: a.length,
    accuracyA: wilson(correctA, a.length, confidence),
    accuracyB: wilson(correctB, b.length, confidence),
    difference: pairedBootstrap(a, b, options),
    mcnemar: mcnemarExact(onlyA, onlyB)
  }
}

/**
 * The unbiased estimator of pass@k of Chen et al. (2021), "Evaluating Large Language Models
 * Trained on Code": with n samples of a question of which c pass, the probability that at least
 * one of k samples drawn without replacement passes,
 *
 *   pass@k = 1 − C(n − c, k) / C(n, k) = 1 − Π_{i = n−c+1..n} (1 − k/i)
 *
 * computed as that product, which stays exact where the binomial coefficients overflow. It is 1
 * when n − c < k (every draw of k holds a pass). Needs 1 ≤ k ≤ n and 0 ≤ c ≤ n.
 */
export const passAtK = (n: number, c: number, k: number): number => {
  checkCount("n", n)
  checkCount("c", c)
  checkCount("k", k)
  if (c > n) throw new RangeError(`c (${c}) exceeds n (${n})`)
  if (k < 1 || k > n) throw new RangeError(`k must be between 1 and n (${n}), got ${k}`)
  if (n - c < k) return 1
  let product = 1
  for (let i = n - c + 1; i <= n; i++) product *= 1 - k / i
  return 1 - product
}

/** pass@k over a benchmark: the mean of the questions' pass@k, over the questions with at least k samples. */
export interface PassAtK {
  readonly k: number
  readonly estimate: number
  /** Questions that have at least k samples (the others cannot estimate pass@k). */
  readonly questions: number
}

/** The mean pass@k over questions given as their sample count n and passing samples c. */
export const meanPassAtK = (
  questions: ReadonlyArray<{ readonly n: number; readonly c: number }>,
  k: number
): PassAtK => {
  let sum = 0
  let counted = 0
  for (const q of questions) {
    if (q.n < k) continue
    sum += passAtK(q.n, q.c, k)
    counted++
  }
  return { k, estimate: counted === 0 ? 0 : sum / counted, questions: counted }
}
