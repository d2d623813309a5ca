/**
 * The last line of a terminal's stderr, when a live status (the progress bar) owns it: other
 * stderr lines — warnings, errors, log lines — are printed above it, and it is drawn again below
 * them, instead of being written over.
 */

let current: { readonly render: () => string; readonly above: ((text: string) => void) | undefined } | undefined

/**
 * Makes a status own the last line (its render function), or frees the line (undefined). A status
 * of several lines (the experiment's grid) gives `above`, which prints a line above its block.
 */
export const own = (render: (() => string) | undefined, above?: (text: string) => void): void => {
  current = render === undefined ? undefined : { render, above }
}

/** Whether `render` is the status that owns the line. */
export const owns = (render: () => string): boolean => current?.render === render

/** Writes a line to stderr above the live status, if any (which is redrawn below it). */
export const printAbove = (text: string): void => {
  if (current === undefined) {
    process.stderr.write(text + "\n")
    return
  }
  if (current.above !== undefined) {
    current.above(text)
    return
  }
  process.stderr.write(`\r\x1b[2K${text}\n${current.render()}`)
}
