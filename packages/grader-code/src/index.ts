/**
 * @ml-agents/grader-code: the `code` answer kind, graded by running the model's Python against the
 * question's assert tests in `@ml-agents/sandbox`.
 */
export * as CodeAnswer from "./CodeAnswer.js"
export * as CodeGrader from "./CodeGrader.js"
export * as ExecutionView from "./ExecutionView.js"
