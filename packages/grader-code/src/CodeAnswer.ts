/**
 * Reading a code question and a model's code answer: the program in a reply (the last fenced
 * block, or the reply itself when it is bare code), and a question's tests and set-up from its
 * benchmark columns (`TESTS`, MBPP's shape: one Python assert per line; optional `TEST_SETUP`).
 */

/** The benchmark column that holds a question's tests; its presence marks a code benchmark. */
export const TESTS_COLUMN = "TESTS"

/** Columns that may hold code run after the solution and before the tests (MBPP's `test_setup_code`). */
const SETUP_COLUMNS = ["TEST_SETUP", "TEST_SETUP_CODE", "SETUP"]

const fence = /^[ \t]*(`{3,}|~{3,})[ \t]*([\w.+#-]*)[^\n]*\n([\s\S]*?)(?:^[ \t]*\1[ \t]*$|(?![\s\S]))/gm
const python = /^(?:python[23]?|py|python-?repl)?$/i

/**
 * The program in a model's reply: the last fenced block marked Python or unmarked (else the
 * last fenced block of any language), a final block left unclosed (the reply ran out of tokens)
 * included; without any fence, the whole reply, as bare code. Null when there is nothing.
 */
export const extractCode = (reply: string): string | null => fencedCode(reply) ?? bare(reply)

/** The code of the reply's last fenced block (Python or unmarked first), or null when it has none. */
export const fencedCode = (reply: string): string | null => {
  const blocks = [...reply.matchAll(fence)].map((m) => ({ language: m[2] ?? "", code: m[3] ?? "" }))
  const pythonBlocks = blocks.filter((b) => python.test(b.language) && b.code.trim() !== "")
  const chosen = pythonBlocks.at(-1) ?? blocks.filter((b) => b.code.trim() !== "").at(-1)
  return chosen === undefined ? null : bare(chosen.code)
}

const bare = (code: string): string | null => (code.trim() === "" ? null : code.replace(/\s+$/, "") + "\n")

/**
 * The program to grade from an agent's result (a leading "Answer:" marker dropped): a fenced
 * block of the raw reply, else one of the
 * extracted answer; else, when the raw reply is a JSON object (an agent such as `cot` in JSON
 * mode, whose code is its `answer`), the answer as bare code; else the raw reply as bare code
 * (an agent's answer extraction is meant for short answers and may cut code), else the answer.
 */
export const programOf = (rawOutput: string | null, answer: string | null): string | null => {
  const raw = rawOutput === null ? "" : rawOutput.replace(answerMarker, "")
  const fenced = fencedCode(raw) ?? fencedCode(answer ?? "")
  if (fenced !== null) return fenced
  if (rawOutput !== null && isJsonObject(rawOutput)) return bare(answer ?? "")
  return bare(raw) ?? bare(answer ?? "")
}

/** A leading "Answer:" / "Final answer:" before the code, which is not Python. */
const answerMarker = /^\s*(?:\*\*)?(?:final\s+)?answer(?:\*\*)?\s*:(?:\*\*)?[ \t]*/i

const isJsonObject = (text: string): boolean => {
  const t = text.trim()
  if (!t.startsWith("{")) return false
  try {
    const value: unknown = JSON.parse(t)
    return typeof value === "object" && value !== null && !Array.isArray(value)
  } catch {
    return false
  }
}

const column = (metadata: Readonly<Record<string, unknown>>, names: ReadonlyArray<string>): string | undefined => {
  for (const [key, value] of Object.entries(metadata)) {
    if (names.includes(key.trim().toUpperCase()) && typeof value === "string") return value
  }
  return undefined
}

/** A question's tests: each non-empty line of its `TESTS` column. */
export const testsOf = (metadata: Readonly<Record<string, unknown>>): ReadonlyArray<string> =>
  (column(metadata, [TESTS_COLUMN]) ?? "").split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== "")

/** A question's set-up code, when its benchmark has a `TEST_SETUP` column and the field is not empty. */
export const setupOf = (metadata: Readonly<Record<string, unknown>>): string | undefined => {
  const setup = column(metadata, SETUP_COLUMNS)
  return setup === undefined || setup.trim() === "" ? undefined : setup
}

/** Whether a benchmark's columns make it a code benchmark. */
export const hasTestsColumn = (columns: ReadonlyArray<string>): boolean =>
  columns.some((c) => c.trim().toUpperCase() === TESTS_COLUMN)
