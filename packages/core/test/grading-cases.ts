/**
 * The grading table: expected answer, model output, answer kind and the outcome a careful human
 * grader would give, with the known traps (last marker wins, letters inside words, "B" vs
 * "(B) 42", negative numbers, `\frac{1}{2}` vs 0.5, thousands separators, outputs with no
 * answer, refusals, reasoning with several numbers before the final one). Kept as data so that
 * other tests (re-scoring, exports) can reuse it.
 */
import type { BuiltInKind as AnswerKind } from "../src/AnswerKind.js"
import type { Outcome } from "../src/Grader.js"
import type { Options } from "../src/Grading.js"

/** One row of the table. */
export interface GradingCase {
  readonly kind: AnswerKind
  readonly expected: string
  readonly output: string
  readonly outcome: Outcome
  /** What the grader should extract, when the row checks it. */
  readonly extracted?: string | null
  /** The grader expected to decide, when it is not `kind` (fallbacks). */
  readonly grader?: string
  readonly options?: Options
  readonly note: string
}

type Extra = Partial<Pick<GradingCase, "extracted" | "grader" | "options">>

const row = (kind: AnswerKind) =>
  (expected: string, output: string, outcome: Outcome, note: string, extra: Extra = {}): GradingCase => ({
    kind,
    expected,
    output,
    outcome,
    note,
    ...extra
  })
const mc = row("multiple_choice")
const num = row("number")
const label = row("label")
const math = row("math")
const text = row("text")

const cell = {
  question: [
    "Which organelle produces most of a cell's ATP?",
    "(A) Nucleus",
    "(B) Mitochondria",
    "(C) Ribosome",
    "(D) Golgi apparatus"
  ].join("\n")
}
const gases = {
  question: "Which gas do plants take in?\nA. Carbon\nB. Carbon dioxide\nC. Oxygen\nD. Nitrogen"
}
const inline = { question: "Pick the largest planet: (A) Mars (B) Jupiter (C) Venus (D) Earth" }

export const cases: ReadonlyArray<GradingCase> = [
  // ── multiple choice: the forms a letter comes in ───────────────────────────────────────────
  mc("B", "B", "correct", "a lone letter", { extracted: "B" }),
  mc("B", "(B)", "correct", "bracketed"),
  mc("B", "B)", "correct", "closing bracket"),
  mc("B", "B.", "correct", "letter and full stop"),
  mc("B", "b)", "correct", "lower case with bracket"),
  mc("B", "(b)", "correct", "lower case in brackets"),
  mc("B", "[B]", "correct", "square brackets"),
  mc("B", "Answer: B", "correct", "Answer: marker"),
  mc("B", "Answer: b", "correct", "lower-case letter after a marker"),
  mc("B", "**Answer:** B", "correct", "bold marker"),
  mc("B", "**Answer**: (B)", "correct", "bold marker, colon outside"),
  mc("B", "Answer:\n\n**B**", "correct", "marker alone on its line, answer on the next"),
  mc("B", "$B$", "correct", "in math mode"),
  mc("B", "\\boxed{B}", "correct", "boxed"),
  mc("B", "\\boxed{\\text{B}}", "correct", "boxed text"),
  mc("B", "The answer is $\\boxed{B}$.", "correct", "boxed in math mode after a phrase"),
  mc("B", "**B**", "correct", "bold letter"),
  mc("B", "The answer is B", "correct", "'The answer is' phrase"),
  mc("B", "The final answer is: B", "correct", "'The final answer is:'"),
  mc("B", "Option B", "correct", "'Option B'"),
  mc("B", "I would go with option B.", "correct", "'I would' is the pronoun, not choice I"),
  mc("C", "Option C: Nitrogen", "correct", "'Option C:' with its text"),
  mc("B", "#### B", "correct", "GSM8K-style marker"),
  mc("B", "The correct answer is (B) because mitochondria produce ATP.", "correct", "explanation after the choice"),
  mc("B", "Answer: The correct choice is B", "correct", "'the correct choice is' phrase"),
  mc("E", "E", "correct", "five options"),
  mc("J", "(J)", "correct", "ten options (MMLU-Pro)"),
  mc("I", "Answer: I", "correct", "choice I after a marker"),
  mc("A", "Answer: A because oxygen is reactive.", "correct", "'A because' is a choice"),
  mc("A", "A is correct.", "correct", "'A is' is a choice"),
  mc("D", "I think the answer is D.", "correct", "pronoun I before the marker"),
  mc("D", "I think it's (D).", "correct", "pronoun I then a bracketed choice"),
  // ── multiple choice: "B" vs "(B) 42" ───────────────────────────────────────────────────────
  mc("B", "(B) 42", "correct", "'B' vs '(B) 42' are the same choice", { extracted: "B" }),
  mc("(B) 42", "B", "correct", "expected written as '(B) 42'"),
  mc("B", "B. Mitochondria", "correct", "letter with the option's text"),
  mc("A", "A. Oxygen", "correct", "'A.' with text is a choice, not the article"),
  mc("C", "Answer: (C) Nitrogen", "correct", "marker, letter and text"),
  // ── multiple choice: last marker wins ──────────────────────────────────────────────────────
  mc("C", "Answer: A\nWait, that is wrong.\nAnswer: C", "correct", "the last marker wins", { extracted: "C" }),
  mc("A", "Answer: A\nHmm, let me reconsider.\nFinal answer: C", "incorrect", "the last marker wins over an earlier right one", { extracted: "C" }),
  mc("C", "(A) is wrong. (B) is wrong. So the answer must be (C).", "correct", "'the answer must be' after discussing options"),
  mc("C", "Answer: C\n\nExplanation: (A) is too small and (B) is unrelated.", "correct", "options discussed after the marker do not count"),
  mc("B", "Answer: B\n\nThis option is consistent with the data.", "correct", "'This option is' is not a marker"),
  mc("B", "The answer is (C), not (B).", "incorrect", "the first choice after the marker is the answer", { extracted: "C" }),
  mc("B", "First guess: \\boxed{A}. On reflection the answer is \\boxed{B}.", "correct", "the last box wins"),
  // ── multiple choice: letters inside words, articles, pronouns ─────────────────────────────
  mc("B", "Because", "no_answer", "'B' inside 'Because' is not a choice", { extracted: null }),
  mc("A", "A good answer requires care.", "no_answer", "'A' as an article is not a choice", { extracted: null }),
  mc("I", "I think so.", "no_answer", "'I' as a pronoun is not a choice"),
  mc("C", "Carbon-based life is common.", "no_answer", "'C' inside a word"),
  mc("D", "Definitely the second one.", "no_answer", "no letter stands alone"),
  mc("B", "Between A and C, I'd choose C.", "incorrect", "the last choice of the final line", { extracted: "C" }),
  mc("C", "Between A and C, I'd choose C.", "correct", "the last choice of the final line"),
  mc("B", "B is correct because A is too small.", "correct", "a choice leading the line wins"),
  mc("C", "Let me check each option.\n(A) Oxygen: no.\n(B) Carbon dioxide: no.\n(C) Nitrogen: yes.", "correct", "no marker: the last line decides"),
  mc("B", "B. Mitochondria\n\nMitochondria are where respiration happens.", "correct", "no marker: a choice leading the first line"),
  // ── multiple choice: the option's text ────────────────────────────────────────────────────
  mc("B", "Mitochondria", "correct", "the option's text gives the letter", { options: cell, extracted: "B" }),
  mc("B", "The answer is Mitochondria.", "correct", "the option's text after a marker", { options: cell }),
  mc("B", "Answer: mitochondria", "correct", "the option's text, any case", { options: cell }),
  mc("B", "Nucleus", "incorrect", "another option's text", { options: cell, extracted: "A" }),
  mc("B", "It is carbon dioxide, clearly.", "correct", "'Carbon dioxide' wins over 'Carbon' it contains", { options: gases }),
  mc("A", "Carbon", "correct", "exact option text 'Carbon'", { options: gases }),
  mc("B", "Jupiter", "correct", "options listed inline '(A) … (B) …'", { options: inline }),
  mc("B", "Mitochondria", "no_answer", "without the question the text cannot be mapped"),
  mc("Mitochondria", "(B) Mitochondria", "correct", "expected given as the option's text", { options: cell }),
  // ── multiple choice: wrong and missing answers ────────────────────────────────────────────
  mc("B", "C", "incorrect", "wrong letter"),
  mc("B", "Answer: C", "incorrect", "wrong letter after a marker"),
  mc("B", "", "no_answer", "empty output", { extracted: null }),
  mc("B", "   \n  ", "no_answer", "blank output"),
  mc("B", "I'm sorry, but I can't answer that question.", "no_answer", "refusal"),
  mc("B", "I don't know.", "no_answer", "gives up"),
  mc("B", "Answer: N/A", "no_answer", "explicit non-answer after a marker"),
  mc("B", "Answer: none of the above", "no_answer", "no letter after the marker"),
  mc("B", "Let me think about the structure of the cell and what each organelle does", "no_answer", "truncated reasoning"),
  mc("Paris", "Paris", "correct", "an expected answer that is not a letter falls back to text", { grader: "text" }),

  // ── numbers: forms ────────────────────────────────────────────────────────────────────────
  num("42", "42", "correct", "plain integer", { extracted: "42" }),
  num("42", "42.0", "correct", "decimal form"),
  num("42", "Answer: 42", "correct", "after a marker"),
  num("42", "41", "incorrect", "off by one"),
  num("-8", "-8", "correct", "negative"),
  num("-8", "8", "incorrect", "sign dropped"),
  num("-8", "−8", "correct", "Unicode minus U+2212", { extracted: "-8" }),
  num("-3", "(-3)", "correct", "negative in brackets"),
  num("-3", "The temperature dropped to -3 degrees.", "correct", "negative inside a sentence"),
  num("-250", "1,000 - 1,250 = -250", "correct", "subtraction, then the negative result", { extracted: "-250" }),
  num("1200", "1,200", "correct", "thousands separator", { extracted: "1,200" }),
  num("1,200", "1200", "correct", "thousands separator in the expected answer"),
  num("1200", "$1,200", "correct", "currency sign and separator"),
  num("1500000", "1,500,000", "correct", "two separators"),
  num("1200", "The factory makes 1,200 chairs.", "correct", "unit word after the number"),
  num("1000", "\\boxed{1{,}000}", "correct", "LaTeX thousands separator"),
  num("1000", "1\\,000", "correct", "LaTeX thin-space separator"),
  num("12", "12 cm", "correct", "unit stripped"),
  num("12", "Answer: 12 cm.", "correct", "unit and full stop after a marker"),
  num("60", "The sale price is $60.00.", "correct", "currency with cents"),
  num("16", "16 m²", "correct", "squared unit: the exponent is not a number"),
  num("16", "4^2 = 16", "correct", "a power, then the result"),
  num("1024", "2^10", "correct", "a power is evaluated"),
  num("3", "CO2 has 3 atoms", "correct", "digits inside a word are not numbers"),
  num("3", "The molecule is CO2.", "no_answer", "the only digit is inside a word"),
  num("90", "90°", "correct", "degrees"),
  num("3", "Answer: three", "correct", "a number word after a marker"),
  num("12", "twelve", "correct", "a number word alone"),
  num("25", "#### 25", "correct", "GSM8K marker"),
  // ── numbers: fractions, decimals, scientific notation ─────────────────────────────────────
  num("0.5", "\\frac{1}{2}", "correct", "\\frac{1}{2} vs 0.5"),
  num("0.5", "\\dfrac{1}{2}", "correct", "\\dfrac"),
  num("-0.5", "-\\frac{1}{2}", "correct", "negative fraction"),
  num("0.5", "1/2", "correct", "slash fraction"),
  num("0.75", "The answer is 3/4.", "correct", "fraction then full stop", { extracted: "3/4" }),
  num("3/4", "0.75", "correct", "fraction in the expected answer"),
  num("3.75", "7.5 / 2 = 3.75", "correct", "division shown, result last"),
  num("3.75", "3.7500001", "correct", "within the default relative tolerance 1e-6"),
  num("3.75", "3.76", "incorrect", "outside the tolerance"),
  num("1/3", "0.333", "incorrect", "rounding is not forgiven by default"),
  num("1/3", "0.333", "correct", "unless the tolerance allows it", { options: { relativeTolerance: 0.01 } }),
  num("0", "0", "correct", "zero"),
  num("0", "-0", "correct", "negative zero"),
  num("0", "1e-10", "correct", "within the absolute tolerance near zero"),
  num("0", "0.001", "incorrect", "outside the absolute tolerance"),
  num("120000", "1.2e5", "correct", "scientific notation"),
  num("120000", "1.2 × 10^5", "correct", "× 10^ notation"),
  num("0.00012", "1.2 \\times 10^{-4}", "correct", "LaTeX scientific notation"),
  num("1.5", "1,5", "incorrect", "limit: a decimal comma is read as a list"),
  // ── numbers: percentages (a percentage equals its face value and its value / 100) ────────
  num("50", "50%", "correct", "percentage vs its face value"),
  num("0.5", "50%", "correct", "percentage vs its fraction"),
  num("50%", "50", "correct", "expected percentage vs face value"),
  num("50%", "0.5", "correct", "expected percentage vs fraction"),
  num("50", "0.5", "incorrect", "a bare fraction is not a percentage"),
  num("25", "25 percent", "correct", "the word percent"),
  num("1500000", "about 1.5 million people", "correct", "scale word"),
  // ── numbers: reasoning with several numbers, last marker wins ─────────────────────────────
  num("42", "First, 17 + 25. 17 + 20 = 37, and 37 + 5 = 42.", "correct", "no marker: the last number"),
  num("10", "We have 3 boxes of 4, so 3 × 4 = 12 items; 2 are broken, so 12 - 2 = 10.", "correct", "several numbers before the final one"),
  num("10", "Answer: 10\n\nCheck: 12 - 2 = 10, and 3 × 4 = 12.", "correct", "marker wins over later numbers", { extracted: "10" }),
  num("42", "Step 1: 6 × 7 = 42\nStep 2: check 42 / 6 = 7", "incorrect", "no marker: the last number, even in a check", { extracted: "7" }),
  num("8", "The answer is 7.\nWait, I made an error. The answer is 8.", "correct", "the last marker wins"),
  num("7", "The answer is 7.\nWait, I made an error. The answer is 8.", "incorrect", "an earlier answer does not count"),
  num("12", "Answer: 5 + 7 = 12", "correct", "the result after '=' in the marker's text"),
  num("12", "The answer is 12 because 3 × 4 = 12 and 12 - 0 = 12", "correct", "explanation after the answer"),
  num("5", "Answer: x = 5", "correct", "an assignment"),
  num("5", "\\boxed{5}", "correct", "boxed"),
  num("5", "So $x = \\boxed{5}$.", "correct", "boxed in math mode"),
  num("5", "Answer: 5\n\nSo the answer is consistent.", "correct", "a later marker with no number falls back to the earlier one"),
  // ── numbers: no answer ────────────────────────────────────────────────────────────────────
  num("12", "", "no_answer", "empty output", { extracted: null }),
  num("12", "I cannot solve this problem.", "no_answer", "refusal"),
  num("12", "I'm sorry, but I can't help with that.", "no_answer", "refusal, apology"),
  num("12", "Answer: unknown", "no_answer", "explicit non-answer"),
  num("12", "Let me think step by step about this problem.", "no_answer", "no number anywhere"),
  num("2\\sqrt{3}", "\\boxed{\\sqrt{12}}", "correct", "a non-number expectation falls back to math", { grader: "math" }),

  // ── labels ────────────────────────────────────────────────────────────────────────────────
  label("True", "True", "correct", "exact", { extracted: "True" }),
  label("True", "true", "correct", "lower case"),
  label("True", "TRUE.", "correct", "upper case with full stop"),
  label("Uncertain", "UNCERTAIN", "correct", "upper case"),
  label("True", "Answer: True", "correct", "after a marker"),
  label("False", "Answer: True", "incorrect", "wrong label"),
  label("True", "**True**", "correct", "bold"),
  label("True", "\\boxed{\\text{True}}", "correct", "boxed text"),
  label("Uncertain", "The conclusion is uncertain.", "correct", "label inside the final sentence"),
  label("Uncertain", "Answer: Unknown", "correct", "Unknown means Uncertain"),
  label("False", "Premise 1 says all dogs are mammals.\nTherefore, the conclusion is False.", "correct", "the final line"),
  label("True", "Answer: False\nOn reflection, premise 2 settles it.\nAnswer: True", "correct", "the last marker wins"),
  label("True", "True.\n\nAll dogs are mammals, and Rex is a dog.", "correct", "a label leading the first line"),
  label("Yes", "Yes", "correct", "yes/no set"),
  label("No", "no.", "correct", "lower case no"),
  label("Yes", "Answer: Yes, because no counterexample exists.", "correct", "the first label after a marker", { extracted: "Yes" }),
  label("No", "Answer: No, there is no evidence for it.", "correct", "first label after the marker"),
  label("Yes", "I don't know.", "no_answer", "gives up"),
  label("True", "", "no_answer", "empty"),
  label("True", "The premises are all about animals.", "no_answer", "no label at all"),
  label("True", "Untrue claims abound.", "no_answer", "labels only as whole words"),
  label("False", "The conclusion is not true.", "no_answer", "a negated label is not an answer"),
  label("Valid", "The argument is invalid.", "incorrect", "'valid' inside 'invalid' does not count", {
    options: { labels: ["Valid", "Invalid"] },
    extracted: "Invalid"
  }),
  label("Valid", "It is valid.", "correct", "given label set", { options: { labels: ["Valid", "Invalid"] } }),
  label("Entailment", "Label: Neutral", "incorrect", "NLI labels"),
  label("contradiction", "CONTRADICTION", "correct", "expected in lower case"),

  // ── math ──────────────────────────────────────────────────────────────────────────────────
  math("\\frac{1}{2}", "\\boxed{\\frac{1}{2}}", "correct", "same fraction"),
  math("\\frac{1}{2}", "\\boxed{0.5}", "correct", "\\frac{1}{2} vs 0.5", { extracted: "0.5" }),
  math("0.5", "$\\frac{1}{2}$", "correct", "0.5 vs \\frac{1}{2}"),
  math("\\frac{1}{2}", "\\boxed{1/2}", "correct", "slash fraction"),
  math("\\frac{1}{2}", "\\boxed{\\dfrac{1}{2}}", "correct", "\\dfrac"),
  math("\\frac{1}{2}", "\\boxed{\\tfrac12}", "correct", "\\tfrac without braces"),
  math("-\\frac{1}{2}", "\\boxed{-0.5}", "correct", "negative fraction"),
  math("\\frac{3}{4}", "The answer is \\boxed{\\frac{3}{4}}.", "correct", "boxed after a phrase"),
  math("\\frac{3}{4}", "\\boxed{\\frac{3}{5}}", "incorrect", "different fraction"),
  math("\\sqrt{4}", "\\boxed{2}", "correct", "\\sqrt{4} = 2"),
  math("2\\sqrt{3}", "\\boxed{\\sqrt{12}}", "correct", "equivalent radicals"),
  math("\\frac{\\sqrt{3}}{2}", "\\boxed{\\frac{\\sqrt3}{2}}", "correct", "\\sqrt3 without braces"),
  math("\\frac{1}{\\sqrt{2}}", "\\boxed{\\frac{\\sqrt{2}}{2}}", "correct", "nested braces, equal values"),
  math("2\\pi", "\\boxed{2\\pi}", "correct", "symbolic"),
  math("2\\pi", "\\boxed{2 \\pi}", "correct", "spacing"),
  math("2\\pi", "\\boxed{\\pi}", "incorrect", "different symbol"),
  math("2\\pi", "\\boxed{6.283185}", "incorrect", "limit: \\pi stays symbolic"),
  math("x^2+1", "\\boxed{x^{2} + 1}", "correct", "^{2} vs ^2 and spaces"),
  math("\\left(1,2\\right)", "\\boxed{(1, 2)}", "correct", "\\left/\\right and spaces"),
  math("(1,2)", "\\boxed{(2,1)}", "incorrect", "order matters"),
  math("10", "\\boxed{10.}", "correct", "trailing full stop"),
  math("1000", "\\boxed{1,000}", "correct", "thousands separator"),
  math("90^\\circ", "\\boxed{90}", "correct", "degrees dropped"),
  math("5\\text{ cm}", "\\boxed{5}", "correct", "units dropped"),
  math("\\text{Monday}", "\\boxed{\\text{Monday}}", "correct", "text answer"),
  math("\\infty", "\\boxed{\\infty}", "correct", "infinity"),
  math("3\\!\\cdot\\!2", "\\boxed{6}", "correct", "\\! spacing and \\cdot evaluated"),
  math("5", "First \\boxed{4}, but correcting myself: \\boxed{5}", "correct", "the last box wins"),
  math("5", "\\boxed{5}\n\nAnswer: 6", "incorrect", "a later marker wins over a box", { extracted: "6" }),
  math("5", "x = 5", "correct", "'x =' dropped"),
  math("12", "Final Answer: $12$", "correct", "inline math after a marker"),
  math("3", "Therefore the sum is $3$.", "correct", "no marker: the last inline math"),
  math("3", "", "no_answer", "empty"),
  math("3", "I cannot determine the value without more information.", "no_answer", "refusal"),

  // ── text ──────────────────────────────────────────────────────────────────────────────────
  text("Paris", "Paris", "correct", "exact"),
  text("Paris", "paris.", "correct", "case and full stop"),
  text("Paris", "Answer: Paris", "correct", "after a marker", { extracted: "Paris" }),
  text("Paris", "**Answer:** Paris", "correct", "bold marker"),
  text("Paris", "Lyon", "incorrect", "wrong"),
  text("Paris", "The capital of France is Paris.", "correct", "the key ending a sentence"),
  text("Jane Austen", "jane   austen", "correct", "whitespace"),
  text("Jane Austen", "Austen", "correct", "a surname for a full name"),
  text("The Beatles", "Beatles", "correct", "leading article"),
  text("George Orwell", "\"George Orwell\"", "correct", "quotes"),
  text("Au", "Answer: Au.", "correct", "symbol with full stop"),
  text("Zürich", "Zurich", "correct", "accents"),
  text("New York", "new-york", "correct", "punctuation"),
  text("U.S.A.", "USA", "correct", "dots in abbreviations"),
  text("3.5", "35", "incorrect", "a decimal point is kept"),
  text("Vitamin A", "vitamin a", "correct", "'a' at the end is not an article"),
  text("Vitamin A", "vitamin", "incorrect", "the letter is kept"),
  text("Ottawa", "Ottawa, Canada", "correct", "a consistent qualifier"),
  text("Tokyo", "Answer: Kyoto\nActually, no.\nAnswer: Tokyo", "correct", "the last marker wins"),
  text("Tokyo", "Answer: Tokyo\nAnswer: Kyoto", "incorrect", "the last marker wins"),
  text("Paris", "Let me recall.\nThe capital is well known.\nParis", "correct", "no marker: the last line"),
  text("Paris", "", "no_answer", "empty"),
  text("Paris", "I don't know.", "no_answer", "gives up"),
  text("Paris", "Answer: unknown", "no_answer", "explicit non-answer"),
  text("None", "Answer: None", "correct", "a non-answer word that is the expected answer")
]
