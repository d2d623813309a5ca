/**
 * A small RFC 4180 reader for benchmark files (quoted fields may hold commas, newlines and
 * doubled quotes), so the simulator can load the same CSVs the CLI imports without depending on
 * any other package.
 */

/** Parses CSV text into rows of fields; a leading byte-order mark is ignored, CRLF or LF ends a row. */
export const parse = (input: string): Array<Array<string>> => {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input
  const rows: Array<Array<string>> = []
  let row: Array<string> = []
  let field = ""
  let i = 0
  const n = text.length
  let fieldStarted = false
  while (i < n) {
    const c = text[i]!
    if (c === '"' && field === "" && !fieldStarted) {
      // Quoted field: read to the closing quote, "" is a literal quote.
      i++
      let start = i
      for (;;) {
        const q = text.indexOf('"', i)
        if (q < 0) throw new Error("CSV: unterminated quoted field")
        if (text[q + 1] === '"') {
          field += text.slice(start, q + 1)
          i = q + 2
          start = i
          continue
        }
        field += text.slice(start, q)
        i = q + 1
        break
      }
      fieldStarted = true
      continue
    }
    if (c === ",") {
      row.push(field)
      field = ""
      fieldStarted = false
      i++
      continue
    }
    if (c === "\n" || c === "\r") {
      row.push(field)
      rows.push(row)
      row = []
      field = ""
      fieldStarted = false
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1
      continue
    }
    field += c
    fieldStarted = true
    i++
  }
  if (fieldStarted || field !== "" || row.length > 0) {
    row.push(field)
    rows.push(row)
  }
  // Blank lines are not records.
  return rows.filter((r) => !(r.length === 1 && r[0] === ""))
}

/** Reads the INPUT and OUTPUT columns of a benchmark CSV as question/answer pairs. */
export const questionsFromCsv = (
  text: string,
  source: string
): Array<{ question: string; answer: string }> => {
  const rows = parse(text)
  const header = rows[0]
  if (header === undefined) throw new Error(`${source}: the CSV file is empty`)
  const names = header.map((h) => h.trim().toUpperCase())
  const input = names.indexOf("INPUT")
  const output = names.indexOf("OUTPUT")
  if (input < 0 || output < 0) {
    throw new Error(`${source}: the CSV header must have INPUT and OUTPUT columns (found: ${header.join(", ")})`)
  }
  const out: Array<{ question: string; answer: string }> = []
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r]!
    const question = row[input] ?? ""
    if (question.trim() === "") continue
    out.push({ question, answer: (row[output] ?? "").trim() })
  }
  return out
}
