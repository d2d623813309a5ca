/**
 * What every command can read: the validated configuration and the global flags.
 */
import { Context } from "effect"
import type { AppConfig } from "./AppConfig.js"
import type { GlobalFlags } from "./GlobalOptions.js"

/** Global flags, accepted anywhere on the command line (see GlobalOptions). */
export type { GlobalFlags }

/** The AppContext service. */
export class AppContext extends Context.Tag("@ml-agents/cli/AppContext")<
  AppContext,
  { readonly config: AppConfig; readonly flags: GlobalFlags }
>() {}
