/**
 * The last line of a terminal's stderr, when a live status (the progress bar) owns it: other
 * stderr lines — warnings, errors, log lines — are printed above it, and it is drawn again below
 * them, instead of being written over.
 */

let current: (() => string) | undefined

/** Makes a status own the last line (its render function), or frees the line (undefined). */
export const own = (render: (() => string) | undefined): void => {
  current = render
}

/** Whether `render` is the status that owns the line. */
export const owns = (render: () => string): boolean => current === render

/** Writes a line to stderr above the live status, if any (which is redrawn below it). */
export const printAbove = (text: string): void => {
  if (current === undefined) {
    process.stderr.write(text + "\n")
    return
  }
  process.stderr.write(`\r\x1b[2K${text}\n${current()}`)
}
