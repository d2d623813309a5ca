/**
 * Short benchmark names and the CSV files they stand for. The registry of the original design
 * (GPQA → BENCHMARK-01-GPQA.csv, …) plus the samples bundled with the CLI; a name resolves to the
 * first directory of ML_AGENTS_BENCHMARK_DIR (then the bundled samples) that has its file.
 */
import { Data } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** Short names → file names. */
export const registry: Readonly<Record<string, string>> = {
  GPQA: "BENCHMARK-01-GPQA.csv",
  FOLIO: "BENCHMARK-05-FOLIO.csv",
  BBEH: "BENCHMARK-06-BBEH.csv",
  MATH3: "BENCHMARK-07-MATH3.csv",
  LeetCode_Python_Easy: "BENCHMARK-08-LeetCode_Python_Easy.csv",
  SAMPLE_MC: "SAMPLE_MC.csv",
  SAMPLE_MATH: "SAMPLE_MATH.csv",
  SAMPLE_LOGIC: "SAMPLE_LOGIC.csv",
  SAMPLE_QA: "SAMPLE_QA.csv",
  SAMPLE_CODE: "SAMPLE_CODE.csv"
}

/** The directory of samples shipped with the CLI (`apps/cli/benchmarks`). */
export const bundledDir = (): string => path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "benchmarks")

/** Neither a readable file nor a known short name. */
export class BenchmarkFileNotFound extends Data.TaggedError("BenchmarkFileNotFound")<{
  readonly input: string
  readonly searched: ReadonlyArray<string>
}> {
  override get message() {
    return `'${this.input}' is neither a CSV file nor a benchmark name found in ${this.searched.join(", ")}`
  }
}

/** A resolved CSV file and the short name it imports under by default. */
export interface Resolved {
  readonly file: string
  readonly name: string
}

const nameFromFile = (file: string): string => {
  const base = path.basename(file)
  const known = Object.entries(registry).find(([, f]) => f === base)
  if (known !== undefined) return known[0]
  return base.replace(/\.csv$/i, "").replace(/^BENCHMARK-\d+-/, "").replace(/[^A-Za-z0-9_.-]/g, "_")
}

/** Resolves a path or a short name to a CSV file. */
export const resolve = (input: string, dirs: ReadonlyArray<string>, cwd = process.cwd()): Resolved => {
  const direct = path.resolve(cwd, input)
  if (fs.existsSync(direct) && fs.statSync(direct).isFile()) return { file: direct, name: nameFromFile(direct) }
  const key = Object.keys(registry).find((k) => k.toLowerCase() === input.toLowerCase())
  const candidates = key !== undefined ? [registry[key]!] : [input, `${input}.csv`]
  for (const dir of dirs) {
    for (const candidate of candidates) {
      const file = path.join(dir, candidate)
      if (fs.existsSync(file) && fs.statSync(file).isFile()) return { file, name: key ?? nameFromFile(file) }
    }
  }
  throw new BenchmarkFileNotFound({ input, searched: dirs })
}

/** Short names whose files are present in the given directories. */
export const available = (dirs: ReadonlyArray<string>): ReadonlyArray<Resolved> =>
  Object.entries(registry).flatMap(([name, file]) => {
    const dir = dirs.find((d) => fs.existsSync(path.join(d, file)))
    return dir === undefined ? [] : [{ name, file: path.join(dir, file) }]
  })
