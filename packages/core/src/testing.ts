/**
 * @ml-agents/core/testing: the kit for testing agents and apps without a network or a database.
 */
export * as MemoryStorage from "./MemoryStorage.js"
export * as ScriptedLlmClient from "./ScriptedLlmClient.js"
export * as Conformance from "./Conformance.js"
export * as StorageConformance from "./StorageConformance.js"
