/**
 * @ml-agents/simulator: an OpenRouter wire-format simulator on 127.0.0.1 for tests, benchmarks
 * and the offline demo. `start(options)` runs one in-process; `ml-agents-simulator` runs one as a
 * command.
 */
export {
  type FaultKind,
  type FaultRule,
  type ModelStats,
  type RunningSimulator,
  type SimModel,
  type SimulatorOptions,
  type SimulatorStats,
  start
} from "./Simulator.js"
/** The phrases of the `tot` agent's prompts that the simulator answers in kind (mirrors the agent's `TreeOfThought.markers`). */
export { TOT_MARKERS } from "./internal/TotReply.js"
