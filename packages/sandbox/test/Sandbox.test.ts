/**
 * The sandbox against real hostile programs, run for real in bubblewrap: each test checks the
 * stored reason and that the machine is unharmed (no process left, no file outside, no key
 * leaked, nothing received by a listener on 127.0.0.1).
 */
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Layer } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { beforeAll } from "vitest"
import { Sandbox } from "../src/index.js"
import { ensureTools } from "../src/testing.js"

const root = process.getuid?.() === 0
// A uid of this file's own, so that "no process is left" can be checked by uid.
const UID = 61000 + (process.pid % 1000)
const FAKE_KEY = "sk-or-v1-fake0123456789abcdefSECRET"

beforeAll(async () => {
  await ensureTools()
}, 900_000)

const limits = { wallMs: 8_000, cpuSeconds: 2 }

const sandbox = (options: Sandbox.Options = {}) =>
  Sandbox.make({ uid: UID, limits, concurrency: 2, ...options })

const execute = (request: Sandbox.Request, options?: Sandbox.Options) =>
  Effect.flatMap(sandbox(options), (s) => s.run(request))

/** Pids of processes left running as the sandbox's uid (root) or running the harness (otherwise). */
const leftovers = (): Array<number> => {
  const found: Array<number> = []
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (root) {
        const status = fs.readFileSync(`/proc/${entry}/status`, "utf8")
        if (new RegExp(`^Uid:\\s+${UID}\\b`, "m").test(status)) found.push(Number(entry))
      } else if (fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").includes("_VIOLATIONS = {errno.EACCES")) {
        found.push(Number(entry))
      }
    } catch {
      // the process ended meanwhile
    }
  }
  return found
}

const machineIsFine = () =>
  Effect.gen(function*() {
    // Killed processes may take a moment to be reaped by the kernel.
    for (let i = 0; i < 50 && leftovers().length > 0; i++) yield* Effect.sleep("100 millis")
    assert.deepStrictEqual(leftovers(), [], "no sandboxed process is left running")
    assert.strictEqual(spawnSync("true").status, 0, "the machine can still start processes")
  })

const ADD = "def add(a, b):\n    return a + b\n"

describe("Sandbox", () => {
  it.live("a correct solution passes every test", () =>
    Effect.gen(function*() {
      const execution = yield* execute({ code: ADD, tests: ["assert add(1, 2) == 3", "assert add(-1, 1) == 0"] })
      assert.strictEqual(execution.reason, "passed", execution.summary)
      assert.strictEqual(execution.passed, 2)
      assert.strictEqual(execution.total, 2)
      assert.deepStrictEqual(execution.tests.map((t) => t.status), ["passed", "passed"])
      assert.strictEqual(execution.sandbox, "bubblewrap")
      assert.isAbove(execution.durationMs, 0)
    }))

  it.live("a wrong solution fails, naming the failing assert and what the code returned", () =>
    Effect.gen(function*() {
      const execution = yield* execute({
        code: "def add(a, b):\n    return a - b\n",
        tests: ["assert add(2, 0) == 2", "assert add(2, 3) == 5", "assert add(1, 1) == 2, 'one and one'"]
      })
      assert.strictEqual(execution.reason, "failed")
      assert.strictEqual(execution.passed, 1)
      const [first, second, third] = execution.tests
      assert.strictEqual(first!.status, "passed")
      assert.strictEqual(second!.status, "failed")
      assert.strictEqual(second!.error, "AssertionError")
      assert.strictEqual(second!.message, "got -1, expected == 5")
      assert.strictEqual(third!.message, "one and one")
      assert.include(execution.summary, "assert add(2, 3) == 5")
      assert.include(execution.summary, "got -1, expected == 5")
    }))

  it.live("an exception in a test is a failure of that test with its type and message", () =>
    Effect.gen(function*() {
      const execution = yield* execute({ code: "def f(x):\n    return 1 // x\n", tests: ["assert f(1) == 1", "assert f(0) == 0"] })
      assert.strictEqual(execution.reason, "failed")
      assert.strictEqual(execution.tests[1]!.error, "ZeroDivisionError")
      assert.strictEqual(execution.tests[1]!.message, "integer division or modulo by zero")
    }))

  it.live("code that does not compile is a syntax_error", () =>
    Effect.gen(function*() {
      const execution = yield* execute({ code: "def f(:\n  pass", tests: ["assert f() is None"] })
      assert.strictEqual(execution.reason, "syntax_error")
      assert.include(execution.summary, "SyntaxError")
      assert.strictEqual(execution.tests[0]!.status, "not_run")
    }))

  it.live("code that raises before the tests is a runtime_error", () =>
    Effect.gen(function*() {
      const execution = yield* execute({ code: "import numpy_that_does_not_exist\n", tests: ["assert True"] })
      assert.strictEqual(execution.reason, "runtime_error")
      assert.include(execution.summary, "ModuleNotFoundError")
    }))

  it.live("an infinite loop is stopped by the time limit and the machine is fine", () =>
    Effect.gen(function*() {
      const execution = yield* execute({
        code: "def spin():\n    while True:\n        pass\n",
        tests: ["assert add(1, 1) == 2", "assert spin() is None", "assert True"],
        setup: ADD
      })
      assert.strictEqual(execution.reason, "timeout", execution.summary)
      assert.deepStrictEqual(execution.tests.map((t) => t.status), ["passed", "not_run", "not_run"])
      assert.include(execution.summary, "during test 2 (assert spin() is None)")
      yield* machineIsFine()
    }))

  it.live("sleeping forever is stopped by the wall clock", () =>
    Effect.gen(function*() {
      const execution = yield* execute({ code: "import time\ntime.sleep(3600)\n", tests: ["assert True"], limits: { wallMs: 1_500 } })
      assert.strictEqual(execution.reason, "timeout")
      assert.include(execution.summary, "wall-clock limit of 1.5 s")
      yield* machineIsFine()
    }))

  it.live("a fork bomb is stopped by the process limit and leaves nothing running", () =>
    Effect.gen(function*() {
      const execution = yield* execute({
        code: "import os, time\nwhile True:\n    if os.fork() == 0:\n        time.sleep(60)\n",
        tests: ["assert True"]
      })
      assert.strictEqual(execution.reason, "sandbox_violation", execution.summary)
      assert.include(execution.summary, "BlockingIOError")
      yield* machineIsFine()
    }))

  it.live("a fork bomb that ignores the process limit is stopped by the time limit", () =>
    Effect.gen(function*() {
      const execution = yield* execute({
        code: "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
        tests: ["assert True"]
      })
      assert.oneOf(execution.reason, ["timeout", "crash"], execution.summary)
      yield* machineIsFine()
    }))

  it.live("a 2 GB allocation hits the memory limit", () =>
    Effect.gen(function*() {
      const execution = yield* execute({
        code: "def big():\n    return len(bytearray(2 * 1024 ** 3))\n",
        tests: ["assert big() == 2 * 1024 ** 3"]
      })
      assert.strictEqual(execution.reason, "memory_limit", execution.summary)
      assert.strictEqual(execution.tests[0]!.error, "MemoryError")
      yield* machineIsFine()
    }))

  it.live("a 100 MB print is stopped at the output limit, and the output kept is truncated and says so", () =>
    Effect.gen(function*() {
      const execution = yield* execute({
        code: "def shout():\n    print('x' * 100_000_000)\n    return 1\n",
        tests: ["assert shout() == 1"]
      })
      assert.strictEqual(execution.reason, "output_limit", execution.summary)
      assert.isTrue(execution.stdout.truncated)
      assert.isAtMost(execution.stdout.text.length, 8 * 1024)
      assert.isAbove(execution.stdout.bytes, 1024 * 1024)
      assert.isBelow(execution.stdout.bytes, 100_000_000)
      yield* machineIsFine()
    }))

  it.live("writes outside its directory reach nothing outside", () =>
    Effect.gen(function*() {
      const outside = fs.mkdtempSync(path.join(os.tmpdir(), "sandbox-outside-"))
      fs.chmodSync(outside, 0o777)
      const target = path.join(outside, "escaped.txt")
      try {
        const execution = yield* execute({
          code: "def escape(paths):\n" +
            "    done = []\n" +
            "    for p in paths:\n" +
            "        try:\n" +
            "            with open(p, 'w') as f:\n" +
            "                f.write('pwned')\n" +
            "            done.append(p)\n" +
            "        except OSError:\n" +
            "            pass\n" +
            "    return done\n" +
            "open('inside.txt', 'w').write('fine')\n",
          tests: [
            `assert escape(${JSON.stringify([target, "/escaped.txt", "../escaped.txt", "/usr/escaped.txt", "/etc/escaped.txt"])}) == []`,
            "assert open('inside.txt').read() == 'fine'",
            "assert open('/usr/escaped.txt', 'w').write('x') == 1"
          ]
        })
        assert.deepStrictEqual(execution.tests.map((t) => t.status), ["passed", "passed", "failed"], execution.summary)
        assert.strictEqual(execution.reason, "sandbox_violation")
        assert.include(execution.tests[2]!.message ?? "", "Read-only file system")
        assert.isFalse(fs.existsSync(target), "the file outside does not exist")
        assert.isFalse(fs.existsSync("/escaped.txt"))
        assert.isFalse(fs.existsSync("/usr/escaped.txt"))
        assert.isFalse(fs.existsSync("/etc/escaped.txt"))
        assert.deepStrictEqual(fs.readdirSync(outside), [])
      } finally {
        fs.rmSync(outside, { recursive: true, force: true })
      }
    }))

  it.live("the API key in the parent's environment is nowhere in the sandbox", () =>
    Effect.gen(function*() {
      const saved = process.env["OPENROUTER_API_KEY"]
      process.env["OPENROUTER_API_KEY"] = FAKE_KEY
      try {
        const execution = yield* execute({
          code: "import os, glob\n" +
            "def loot():\n" +
            "    found = [os.environ.get('OPENROUTER_API_KEY')]\n" +
            "    for p in glob.glob('/proc/*/environ'):\n" +
            "        try:\n" +
            "            found.append(open(p, 'rb').read().decode('utf-8', 'replace'))\n" +
            "        except OSError as e:\n" +
            "            found.append(str(e))\n" +
            "    print(found)\n" +
            "    print(dict(os.environ))\n" +
            "    return found\n",
          tests: ["assert 'OPENROUTER_API_KEY' not in os.environ", "assert loot() == ['sk-or-v1']"]
        })
        assert.strictEqual(execution.tests[0]!.status, "passed")
        assert.strictEqual(execution.tests[1]!.status, "failed")
        assert.include(execution.stdout.text, "'PATH': '/usr/bin:/bin'")
        assert.notInclude(JSON.stringify(execution), FAKE_KEY)
        assert.notInclude(execution.stdout.text, "OPENROUTER", "no environment seen by the code names it")
      } finally {
        if (saved === undefined) delete process.env["OPENROUTER_API_KEY"]
        else process.env["OPENROUTER_API_KEY"] = saved
      }
    }).pipe(Effect.map(() => undefined)))

  it.live("a TCP connection to a listener on 127.0.0.1 reaches nothing", () =>
    Effect.gen(function*() {
      let connections = 0
      let bytes = 0
      const server = net.createServer((socket) => {
        connections++
        socket.on("data", (chunk) => (bytes += chunk.length))
      })
      yield* Effect.promise(() => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve)))
      const port = (server.address() as net.AddressInfo).port
      try {
        const execution = yield* execute({
          code: "import socket\n" +
            "def call():\n" +
            `    s = socket.create_connection(('127.0.0.1', ${port}), timeout=2)\n` +
            "    s.sendall(b'stolen secrets')\n" +
            "    return True\n",
          tests: ["assert call()"]
        })
        assert.strictEqual(execution.reason, "sandbox_violation", execution.summary)
        assert.strictEqual(execution.tests[0]!.error, "ConnectionRefusedError")
        // Give a connection that somehow got through the time to arrive.
        yield* Effect.sleep("200 millis")
        assert.strictEqual(connections, 0, "the listener received no connection")
        assert.strictEqual(bytes, 0)
      } finally {
        server.close()
      }
    }))

  it.live("sys.exit and os._exit cannot end the run unnoticed, and printed fake reports count for nothing", () =>
    Effect.gen(function*() {
      const exiting = yield* execute({
        code: ADD + "print('{\"event\": \"done\"}')\n",
        tests: ["assert add(1, 1) == 2", "assert __import__('os')._exit(0)", "assert True"]
      })
      assert.strictEqual(exiting.reason, "crash", exiting.summary)
      assert.deepStrictEqual(exiting.tests.map((t) => t.status), ["passed", "not_run", "not_run"])
      assert.include(exiting.summary, "during test 2")
      const sysExit = yield* execute({ code: "import sys\nsys.exit(0)\n", tests: ["assert True"] })
      assert.strictEqual(sysExit.reason, "crash")
      assert.include(sysExit.summary, "sys.exit(0)")
      const inTest = yield* execute({ code: ADD, tests: ["assert __import__('sys').exit(3)", "assert add(1, 2) == 3"] })
      assert.strictEqual(inTest.reason, "failed")
      assert.strictEqual(inTest.tests[0]!.error, "SystemExit")
      assert.strictEqual(inTest.tests[1]!.status, "passed")
    }))

  it.live("executions beyond the concurrency wait their turn, and the event loop keeps running", () =>
    Effect.gen(function*() {
      const s = yield* sandbox({ concurrency: 1 })
      let ticks = 0
      const timer = setInterval(() => ticks++, 20)
      const code = "import time\nstart = time.time()\ntime.sleep(0.5)\nprint(start, time.time())\n"
      const runs = yield* Effect.forEach([1, 2, 3], () => s.run({ code, tests: ["assert True"] }), { concurrency: "unbounded" })
      clearInterval(timer)
      const spans = runs.map((r) => r.stdout.text.trim().split(" ").map(Number) as [number, number]).sort((a, b) => a[0] - b[0])
      for (let i = 1; i < spans.length; i++) assert.isAtLeast(spans[i]![0], spans[i - 1]![1], "one execution at a time")
      assert.isAbove(ticks, 5, "timers ran while the sandbox worked")
    }))

  it.effect("CODE_EXEC_CONCURRENCY sets the concurrency, and a bad value is refused", () =>
    Effect.gen(function*() {
      const s = yield* Sandbox.Sandbox.pipe(
        Effect.provide(Sandbox.layerConfig().pipe(
          Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["CODE_EXEC_CONCURRENCY", "3"]]))))
        ))
      )
      assert.strictEqual(s.concurrency, 3)
      const bad = yield* Sandbox.Sandbox.pipe(
        Effect.provide(Sandbox.layerConfig().pipe(
          Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["CODE_EXEC_CONCURRENCY", "0"]]))))
        )),
        Effect.either
      )
      assert.isTrue(Either.isLeft(bad))
      const fallback = yield* Sandbox.Sandbox.pipe(
        Effect.provide(Sandbox.layerConfig().pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map())))))
      )
      assert.strictEqual(fallback.concurrency, os.availableParallelism())
    }))

  it.live("without bubblewrap every run fails saying how to install it", () =>
    Effect.gen(function*() {
      const s = yield* sandbox({ bwrap: "/nonexistent/bwrap" })
      const error = yield* Effect.flip(s.check)
      assert.strictEqual(error._tag, "SandboxUnavailable")
      assert.strictEqual(error.reason, "bwrap_missing")
      assert.include(error.message, "apt-get install -y bubblewrap")
      assert.include(error.message, "--unsafe-no-sandbox")
      const run = yield* Effect.flip(s.run({ code: ADD, tests: ["assert add(1, 1) == 2"] }))
      assert.strictEqual(run.reason, "bwrap_missing")
    }))

  it.live("with the sandbox available the check passes", () => Effect.flatMap(sandbox(), (s) => s.check))

  it.live("--unsafe-no-sandbox runs the code bare, records it, still clears the environment and drops root", () =>
    Effect.gen(function*() {
      const saved = process.env["OPENROUTER_API_KEY"]
      process.env["OPENROUTER_API_KEY"] = FAKE_KEY
      try {
        const execution = yield* execute(
          { code: ADD + "import os\nprint(dict(os.environ))\nprint('uid', os.getuid())\n", tests: ["assert add(2, 2) == 4"] },
          { unsafeNoSandbox: true }
        )
        assert.strictEqual(execution.reason, "passed", execution.summary)
        assert.strictEqual(execution.sandbox, "none")
        // As root it still drops to the unprivileged uid, so that the process limit holds.
        if (root) assert.include(execution.stdout.text, `uid ${UID}`)
        assert.notInclude(JSON.stringify(execution), FAKE_KEY)
      } finally {
        if (saved === undefined) delete process.env["OPENROUTER_API_KEY"]
        else process.env["OPENROUTER_API_KEY"] = saved
      }
    }))
})
