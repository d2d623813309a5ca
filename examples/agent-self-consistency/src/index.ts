/**
 * ml-agents-agent-self-consistency: the plugin's entry. The CLI loads it by package name
 * (`ML_AGENTS_PLUGINS=ml-agents-agent-self-consistency`) and uses its default export.
 */
import { agent } from "./SelfConsistency.js"

export * as SelfConsistency from "./SelfConsistency.js"
export { agent }
export default agent
