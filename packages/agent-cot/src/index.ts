/**
 * @ml-agents/agent-cot: the chain-of-thought agent plugin. Only the package skeleton exists so
 * far; the agent itself is built under the issue "Reasoning agents as plugins".
 */
export {}
