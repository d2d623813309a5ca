/**
 * @ml-agents/agent-tot: the tree-of-thoughts agent plugin (`tot`). Install it next to the CLI
 * and use it by id; its `agent` satisfies `@ml-agents/core`'s agent contract.
 */
export * as TreeOfThought from "./TreeOfThought.js"

import { agent } from "./TreeOfThought.js"

/** The `tot` agent, also the default export so that plugin loaders find it either way. */
export { agent }

export default agent
