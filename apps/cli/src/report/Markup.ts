/**
 * HTML and SVG markup built by a tagged template that escapes every interpolated value, so text
 * from the database (agent names, model ids, categories, parameters) can never become markup:
 * only fragments made by `html` itself, or marked with `raw`, are inserted as they are.
 */

/** A fragment of markup, safe to insert. */
export class Markup {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value
  }
}

/** Escapes text for HTML content and double- or single-quoted attribute values. */
export const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&#39;"))

/** Markup inserted without escaping: only for constant text written in this program. */
export const raw = (markup: string): Markup => new Markup(markup)

const render = (value: unknown): string => {
  if (value instanceof Markup) return value.value
  if (Array.isArray(value)) return value.map(render).join("")
  if (value === null || value === undefined || value === false) return ""
  return escape(String(value))
}

/**
 * The template tag: `html\`<td>${name}</td>\`` escapes `name`; nested `html` fragments and arrays
 * of them are inserted as they are; null, undefined and false insert nothing.
 */
export const html = (strings: TemplateStringsArray, ...values: ReadonlyArray<unknown>): Markup => {
  let out = strings[0]!
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!
  return new Markup(out)
}

/** Joins fragments with a separator. */
export const join = (parts: ReadonlyArray<Markup>, separator: Markup = raw("")): Markup =>
  new Markup(parts.map((p) => p.value).join(separator.value))
