/**
 * The progress line's numbers: count, accuracy, and an ETA only once the rate means something.
 */
import { describe, expect, it } from "vitest"
import { ProgressBar } from "../src/ProgressBar.js"

const limiter = (max: number) => ({ limit: max, max, throttled: false })

describe("ProgressBar", () => {
  it("gives no ETA until as many answers are in as are asked at once, then one from this run's rate", async () => {
    const bar = new ProgressBar(1000, 0, false)
    await new Promise((resolve) => setTimeout(resolve, 20))
    bar.update(1, 1, 0, limiter(64))
    // One answer of the first 64 back: an ETA from it would be 999 times one request's time.
    expect(bar.render()).toMatch(/ 1\/1000 · acc 100\.0% · [\d.]+ q\/s · ETA —$/)
    bar.update(63, 40, 0, limiter(64))
    expect(bar.render()).toContain("ETA —")
    bar.update(64, 41, 0, limiter(64))
    expect(bar.render()).toMatch(/ETA \d/)
    bar.update(1000, 700, 0, limiter(64))
    expect(bar.render()).toMatch(/1000\/1000 · acc 70\.0% · [\d.]+ q\/s · took \d/)
  })

  it("counts only this run's answers in the rate of a resumed run", async () => {
    const bar = new ProgressBar(1000, 900, false)
    await new Promise((resolve) => setTimeout(resolve, 20))
    bar.update(900, 600, 0, limiter(4))
    expect(bar.render()).toMatch(/ 900\/1000 · acc 66\.7% · 0\.00 q\/s · ETA —$/)
    bar.update(904, 603, 0, limiter(4))
    // 4 answers in this run, not 904: 96 left take 24 times as long as those 4 did.
    const rate = Number(/([\d.]+) q\/s/.exec(bar.render())![1])
    expect(rate).toBeGreaterThan(0)
    expect(rate).toBeLessThanOrEqual(4 / 0.02)
    expect(bar.render()).toMatch(/ETA \d/)
  })
})
