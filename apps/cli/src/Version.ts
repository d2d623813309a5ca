/**
 * The CLI's version, on its own so that commands can print it without importing the program.
 */

/** The CLI's version. */
export const VERSION = "0.1.0"
