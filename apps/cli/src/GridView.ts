/**
 * The live view of `experiment run`: a line per cell (agent · model · benchmark · repeat,
 * done/total, running accuracy, errors, cost, throttling) under a header with the experiment's
 * progress, spend and ETA. On a terminal it redraws the block in place (at most five times a
 * second, and every second so that a throttled run visibly moves); elsewhere (CI logs, pipes) it
 * prints the header line at every tenth of the experiment and the cells once at the end.
 */
import * as StatusLine from "./StatusLine.js"
import { duration, percent, styleErr, usd } from "./Ui.js"

/** One cell's line. */
export interface CellLine {
  readonly name: string
  readonly total: number
  done: number
  correct: number
  errors: number
  spentUsd: number
  throttled: string | undefined
}

/** The live grid of a run. */
export class GridView {
  private readonly tty = process.stderr.isTTY === true
  private readonly startedAt = Date.now()
  private readonly resumed: number
  private lastDraw = 0
  private drawnLines = 0
  private lastDecile = -1
  private readonly timer: ReturnType<typeof setInterval> | undefined

  constructor(
    private readonly cells: ReadonlyArray<CellLine>,
    private readonly enabled: boolean,
    private readonly budgetUsd: number | undefined,
    private readonly concurrency: number
  ) {
    this.resumed = this.done()
    if (this.resumed > 0) this.lastDecile = Math.floor((this.resumed / Math.max(1, this.total())) * 10)
    if (enabled && this.tty) {
      this.timer = setInterval(() => this.draw(), 1000)
      this.timer.unref()
      // Warnings and log lines go above the block, which is drawn again below them.
      StatusLine.own(this.block, this.printAbove)
    }
  }

  private total = () => this.cells.reduce((n, c) => n + c.total, 0)
  private done = () => this.cells.reduce((n, c) => n + c.done, 0)
  private spent = () => this.cells.reduce((n, c) => n + c.spentUsd, 0)

  /** Records a cell's progress and redraws when due. */
  update(cell: number, progress: { done: number; correct: number; errors: number; spentUsd: number; throttled: string | undefined }): void {
    const line = this.cells[cell]
    if (line === undefined) return
    line.done = progress.done
    line.correct = progress.correct
    line.errors = progress.errors
    line.spentUsd = progress.spentUsd
    line.throttled = progress.throttled
    if (!this.enabled) return
    if (this.tty) {
      const now = Date.now()
      if (now - this.lastDraw < 200) return
      this.lastDraw = now
      this.draw()
    } else {
      const decile = Math.floor((this.done() / Math.max(1, this.total())) * 10)
      if (decile !== this.lastDecile) {
        this.lastDecile = decile
        process.stderr.write(`${this.header()}\n`)
      }
    }
  }

  /** Ends the view: the final block stays on screen (on a terminal), or is printed once (elsewhere). */
  finish(): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    if (StatusLine.owns(this.block)) StatusLine.own(undefined)
    if (!this.enabled) return
    if (this.tty) this.draw()
    else {
      // The header was printed at the last tenth already.
      const lines = this.lines()
      process.stderr.write(`${(this.lastDecile === 10 ? lines.slice(1) : lines).join("\n")}\n`)
    }
  }

  private readonly block = (): string => this.lines().join("\n")

  /** Clears the block, prints `text` where it was, and draws the block again below it. */
  private readonly printAbove = (text: string): void => {
    const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A` : ""
    process.stderr.write(`${up}\r\x1b[J${text}\n`)
    this.drawnLines = 0
    this.draw()
  }

  private draw(): void {
    const lines = this.lines()
    const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A` : ""
    process.stderr.write(`${up}${lines.map((l) => `\r\x1b[2K${l}`).join("\n")}\n`)
    this.drawnLines = lines.length
  }

  /** The experiment's line: done/total, spend (of the budget), rate and ETA. */
  header(): string {
    const total = this.total()
    const done = this.done()
    const elapsed = Date.now() - this.startedAt
    const doneHere = done - this.resumed
    // Until as many answers have come back as are asked at once, the rate says nothing yet.
    const settled = doneHere > 0 && doneHere >= Math.min(this.concurrency, total - this.resumed)
    const eta = settled ? ((total - done) * elapsed) / doneHere : Number.NaN
    const spent = this.spent()
    return [
      `experiment ${percent(total === 0 ? 1 : done / total, 0).padStart(4)}`,
      `${done}/${total} questions`,
      `spent ${usd(spent)}${this.budgetUsd === undefined ? "" : ` of ${usd(this.budgetUsd)}`}`,
      `${(doneHere / Math.max(0.001, elapsed / 1000)).toFixed(1)} q/s`,
      done >= total ? `took ${duration(elapsed)}` : `ETA ${duration(eta)}`
    ].join(" · ")
  }

  /** The header and a line per cell. */
  lines(): Array<string> {
    const width = Math.max(...this.cells.map((c) => c.name.length))
    const count = Math.max(...this.cells.map((c) => String(c.total).length))
    return [
      styleErr.bold(this.header()),
      ...this.cells.map((c) =>
        [
          `  ${c.name.padEnd(width)}`,
          `${String(c.done).padStart(count)}/${c.total}`,
          `acc ${c.done === 0 ? "  —  " : percent(c.correct / c.done).padStart(6)}`,
          c.errors > 0 ? styleErr.yellow(`${c.errors} err`) : "0 err",
          usd(c.spentUsd),
          ...(c.throttled === undefined ? [] : [styleErr.yellow(c.throttled)])
        ].join("  ")
      )
    ]
  }
}
