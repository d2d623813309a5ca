/**
 * Who this process is, as the owner of an evaluation's run lease (`host:pid:nonce`), and whether
 * another owner is still alive: on this host a process that no longer exists is dead, so its run
 * is taken over at once instead of waiting for its lease to lapse.
 */
import { randomBytes } from "node:crypto"
import * as os from "node:os"

const self = `${os.hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`

/** This process's owner id. */
export const owner = (): string => self

/** Whether an owner may still be running (unknown hosts and unparseable owners count as alive). */
export const isAlive = (other: string): boolean => {
  const match = /^(.*):(\d+):[0-9a-f]+$/.exec(other)
  if (match === null || match[1] !== os.hostname()) return true
  try {
    process.kill(Number(match[2]), 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"
  }
}
