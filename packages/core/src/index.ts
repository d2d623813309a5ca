/**
 * @ml-agents/core: the domain, the service interfaces, the agent plugin contract and the
 * evaluation runner. Depends on `effect` only.
 */
export * as Agent from "./Agent.js"
export * as AgentConfig from "./AgentConfig.js"
export * as AgentRegistry from "./AgentRegistry.js"
export * as Benchmark from "./Benchmark.js"
export * as BenchmarkRepository from "./BenchmarkRepository.js"
export * as Evaluation from "./Evaluation.js"
export * as EvaluationRepository from "./EvaluationRepository.js"
export * as EvaluationResults from "./EvaluationResults.js"
export * as FailureReason from "./FailureReason.js"
export * as LlmClient from "./LlmClient.js"
export * as QuestionResult from "./QuestionResult.js"
export * as ResultRepository from "./ResultRepository.js"
export * as StorageError from "./StorageError.js"
export * as Usage from "./Usage.js"
export * as Answer from "./Answer.js"
export * as EvaluationOrchestrator from "./EvaluationOrchestrator.js"
export * as Grading from "./Grading.js"
export * as Ids from "./Ids.js"
export * as NoneAgent from "./NoneAgent.js"
