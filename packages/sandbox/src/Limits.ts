/**
 * The limits every execution runs under. The defaults suit MBPP- and LeetCode-style functions,
 * which take milliseconds; anything that needs more is treated as a runaway.
 */

/** Resource limits of one execution. */
export interface Limits {
  /** Wall-clock time before the whole sandbox is killed, in milliseconds. */
  readonly wallMs: number
  /** CPU time of the interpreter (RLIMIT_CPU), in seconds. */
  readonly cpuSeconds: number
  /** Address space of each process (RLIMIT_AS), in bytes. */
  readonly memoryBytes: number
  /** Processes inside the sandbox (RLIMIT_NPROC, counted in the sandbox's user namespace). */
  readonly processes: number
  /** Largest file the code may write (RLIMIT_FSIZE), in bytes. */
  readonly fileBytes: number
  /** Open file descriptors (RLIMIT_NOFILE). */
  readonly openFiles: number
  /** Size of the writable directory (a tmpfs), in bytes. */
  readonly diskBytes: number
  /** stdout + stderr past which the process is stopped (`output_limit`), in bytes. */
  readonly outputBytes: number
  /** How much of each stream is kept with the result, in bytes. */
  readonly keptOutputBytes: number
}

/** The default limits. */
export const defaults: Limits = {
  wallMs: 10_000,
  cpuSeconds: 5,
  memoryBytes: 512 * 1024 * 1024,
  processes: 16,
  fileBytes: 16 * 1024 * 1024,
  openFiles: 64,
  diskBytes: 64 * 1024 * 1024,
  outputBytes: 1024 * 1024,
  keptOutputBytes: 8 * 1024
}

/** The defaults with some limits replaced. */
export const make = (overrides: Partial<Limits> = {}): Limits => {
  const limits = { ...defaults, ...overrides }
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`limit ${name} must be a positive number, got ${value}`)
  }
  return limits
}
