/**
 * A `.env` reader: `KEY=value` lines, `#` comments, optional `export `, single- or double-quoted
 * values (double quotes understand \n and \"), and inline comments after unquoted values.
 */

/** A line of a .env file that cannot be read. */
export class DotEnvSyntaxError extends Error {
  constructor(readonly file: string, readonly line: number, readonly problem: string) {
    super(`${file}:${line}: ${problem}`)
  }
}

/** Parses the text of a .env file. */
export const parse = (text: string, file: string): Record<string, string> =>
  Object.fromEntries([...parseWithLines(text, file)].map(([key, { value }]) => [key, value]))

/** Parses the text of a .env file, keeping the line each variable is set on (the last one wins). */
export const parseWithLines = (text: string, file: string): Map<string, { readonly value: string; readonly line: number }> => {
  const out = new Map<string, { readonly value: string; readonly line: number }>()
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!
    const line = raw.trim()
    if (line === "" || line.startsWith("#")) continue
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line)
    if (m === null) {
      throw new DotEnvSyntaxError(file, i + 1, "expected KEY=value")
    }
    const key = m[1]!
    let value = m[2]!
    if (value.startsWith('"')) {
      let s = ""
      let closed = false
      for (let j = 1; j < value.length; j++) {
        const c = value[j]!
        if (c === "\\" && j + 1 < value.length) {
          const n = value[++j]!
          s += n === "n" ? "\n" : n === "t" ? "\t" : n
        } else if (c === '"') {
          closed = true
          break
        } else s += c
      }
      if (!closed) throw new DotEnvSyntaxError(file, i + 1, `unterminated double quote in ${key}`)
      value = s
    } else if (value.startsWith("'")) {
      const end = value.indexOf("'", 1)
      if (end === -1) throw new DotEnvSyntaxError(file, i + 1, `unterminated single quote in ${key}`)
      value = value.slice(1, end)
    } else {
      value = value.replace(/\s+#.*$/, "").trim()
    }
    out.set(key, { value, line: i + 1 })
  }
  return out
}
