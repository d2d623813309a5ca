/**
 * @ml-agents/agent-cot: the chain-of-thought agent plugin. The agent is exported as a namespace,
 * by name and as the default export, so that plugin loaders find it whichever they look for.
 */
export * as ChainOfThought from "./ChainOfThought.js"
export { agent, agent as default } from "./ChainOfThought.js"
