/**
 * Every prompt the chain-of-thought agent sends, in one place so that wording changes are easy to
 * find and to compare across evaluations.
 */

/**
 * Text mode. "step by step" is the classic zero-shot chain-of-thought trigger (Kojima et al.,
 * 2022), and the project's OpenRouter simulator keys its reasoning-style replies on those exact
 * words. The reply must end on an `Answer:` line because that is the marker the parser looks for
 * last; asking for nothing after it keeps the answer on that line. Multiple-choice answers are
 * asked as the bare letter because that is what the grader compares.
 */
export const TEXT_SYSTEM_PROMPT =
  "Think through the question step by step before you answer. Write your reasoning first, one step " +
  "per line, and keep it separate from the answer. Then finish with a final line of the form " +
  "`Answer: <answer>` and write nothing after it. Keep the final answer short: only the answer " +
  "itself, with no explanation. For multiple-choice questions give only the option letter " +
  "(for example `Answer: B`)."

/**
 * Structured mode: the JSON schema already fixes the shape, so the prompt only says what goes in
 * each field. "step by step" stays for the same reasons as in text mode; the answer field is
 * described as bare so that no "Answer:" prefix or explanation ends up in it.
 */
export const STRUCTURED_SYSTEM_PROMPT =
  "Think through the question step by step before you answer. Reply with a JSON object with two " +
  "fields: `reasoning`, your step-by-step reasoning, and `answer`, only the final answer with no " +
  "explanation. For multiple-choice questions the answer is only the option letter (for example \"B\")."

/**
 * The user message is the question exactly as the benchmark states it, so that nothing we add
 * can change its meaning (and the simulator finds it by its lines).
 */
export const userPrompt = (questionText: string): string => questionText
