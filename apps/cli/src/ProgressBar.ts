/**
 * The live progress line of `evaluate run`: bar, percentage, count, running accuracy, errors,
 * rate and ETA. On a terminal it redraws in place (at most ten times a second); elsewhere
 * (CI logs, pipes) it prints a line every 10%.
 */
import * as StatusLine from "./StatusLine.js"
import { duration, percent, styleErr } from "./Ui.js"

/** A progress line for a run of `total` questions, `resumed` of which were already done. */
export class ProgressBar {
  private readonly tty = process.stderr.isTTY === true
  private readonly startedAt = Date.now()
  private lastDraw = 0
  private lastDecile = -1
  private state = { done: 0, correct: 0, errors: 0 }
  private concurrency: { limit: number; max: number; throttled: boolean } | undefined
  private readonly timer: ReturnType<typeof setInterval> | undefined

  constructor(private readonly total: number, private readonly resumed: number, private readonly enabled: boolean) {
    this.state.done = resumed
    // Off a terminal, a resumed run's first line is at the next tenth, not at its first answer.
    if (resumed > 0) this.lastDecile = Math.floor((resumed / Math.max(1, total)) * 10)
    // Redraw every second even when no question finishes, so that a slow or throttled run is
    // visibly alive (the rate and ETA move).
    if (enabled && this.tty) {
      StatusLine.own(this.draw)
      this.timer = setInterval(() => process.stderr.write(`\r\x1b[2K${this.render()}`), 1000)
      this.timer.unref()
    }
  }

  /** Records progress and redraws when due. */
  update(
    done: number,
    correct: number,
    errors: number,
    concurrency?: { readonly limit: number; readonly max: number; readonly throttled: boolean }
  ): void {
    this.state = { done, correct, errors }
    this.concurrency = concurrency
    if (!this.enabled) return
    if (this.tty) {
      const now = Date.now()
      if (now - this.lastDraw < 100 && done < this.total) return
      this.lastDraw = now
      process.stderr.write(`\r\x1b[2K${this.render()}`)
    } else {
      const decile = Math.floor((done / Math.max(1, this.total)) * 10)
      if (decile !== this.lastDecile) {
        this.lastDecile = decile
        process.stderr.write(`${this.render()}\n`)
      }
    }
  }

  /** Ends the line so that later output starts on a fresh one. */
  finish(): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    if (StatusLine.owns(this.draw)) StatusLine.own(undefined)
    if (!this.enabled) return
    if (this.tty) process.stderr.write(`\r\x1b[2K${this.render()}\n`)
    else if (this.lastDecile !== 10) process.stderr.write(`${this.render()}\n`)
  }

  private readonly draw = () => this.render()

  /** The current line. */
  render(): string {
    const { done, correct, errors } = this.state
    const fraction = this.total === 0 ? 1 : done / this.total
    const cells = 24
    const filled = Math.round(fraction * cells)
    const bar = styleErr.green("█".repeat(filled)) + styleErr.dim("░".repeat(cells - filled))
    const elapsed = Date.now() - this.startedAt
    const doneHere = done - this.resumed
    const rate = elapsed > 0 ? doneHere / (elapsed / 1000) : 0
    // The first answers of a concurrent run all come back after about one request's time: until as
    // many have come back as are asked at once, the rate says nothing yet of the rest ("ETA —").
    const settled = doneHere > 0 && doneHere >= (this.concurrency?.max ?? 1)
    const eta = settled ? ((this.total - done) * elapsed) / doneHere : Number.NaN
    const parts = [
      `${bar} ${percent(fraction, 0).padStart(4)}`,
      `${done}/${this.total}`,
      `acc ${done === 0 ? "—" : percent(correct / done)}`,
      errors > 0 ? styleErr.yellow(`${errors} error${errors === 1 ? "" : "s"}`) : undefined,
      `${rate.toFixed(rate < 10 ? 2 : 1)} q/s`,
      this.concurrency !== undefined && (this.concurrency.throttled || this.concurrency.limit < this.concurrency.max)
        ? styleErr.yellow(`throttled: ${this.concurrency.limit}/${this.concurrency.max} in flight (rate limited)`)
        : undefined,
      done >= this.total ? `took ${duration(elapsed)}` : `ETA ${duration(eta)}`
    ]
    return parts.filter((p) => p !== undefined).join(" · ")
  }
}
