/**
 * A stored code grade read for people: what `evaluate show --question` prints under the answer —
 * the reason, each test with ✓ / ✗ / · (not run) and why it failed, and the captured output.
 */
import type { Details } from "./CodeGrader.js"

const indent = (text: string, prefix = "    ") => text.split("\n").map((line) => prefix + line).join("\n")

const size = (bytes: number) => bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`

/** The lines that describe a code grade's details. */
export const lines = (details: Details): ReadonlyArray<string> => {
  if (details.kind !== "execution") return [details.summary]
  const out = [
    `${details.reason}: ${details.summary}`,
    `${details.passed} of ${details.total} tests passed in ${(details.durationMs / 1000).toFixed(2)} s` +
    (details.sandbox === "none" ? " — run WITHOUT a sandbox (--unsafe-no-sandbox)" : " (sandboxed)")
  ]
  for (const test of details.tests) {
    const mark = test.status === "passed" ? "✓" : test.status === "failed" ? "✗" : "·"
    out.push(`  ${mark} ${test.test}${test.status === "not_run" ? "  (not run)" : ""}`)
    if (test.status === "failed") out.push(`      ${[test.error, test.message].filter(Boolean).join(": ")}`)
  }
  for (const [name, stream] of [["stdout", details.stdout], ["stderr", details.stderr]] as const) {
    if (stream.bytes === 0) continue
    out.push(`${name} (${size(stream.bytes)}${stream.truncated ? `, truncated to the first ${size(Buffer.byteLength(stream.text))}` : ""}):`)
    out.push(indent(stream.text.replace(/\n$/, "")))
  }
  return out
}
