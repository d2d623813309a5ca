/**
 * @ml-agents/agent-tot: the tree-of-thoughts agent plugin. Only the package skeleton exists so
 * far; the agent itself is built under the issue "Reasoning agents as plugins".
 */
export {}
