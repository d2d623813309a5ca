/**
 * The Python harness that runs inside the sandbox. It reads one JSON request on stdin (the code,
 * the setup, the assert lines, the limits), sets the rlimits on itself before any untrusted line
 * runs, executes the code once and then each test in the same interpreter, and writes one JSON
 * line per event to file descriptor 3. The code's own stdout and stderr stay on 1 and 2, so
 * whatever it prints cannot be mistaken for a result, and every event is written with a single
 * `os.write` the moment it happens, so a later `os._exit`, crash or kill loses nothing reported.
 *
 * RLIMIT_NPROC is set here, inside the user namespace, on purpose: the kernel counts it per user
 * namespace level, so a limit set inside counts only this sandbox's processes, whereas one set
 * before bubblewrap would count every process of the user on the machine.
 *
 * Events: {"event":"start"}, {"event":"syntax_error",…}, {"event":"error","stage":"code"|"setup",…},
 * {"event":"test","index":i,"passed":bool,…}, {"event":"done"}. A failure carries `kind`
 * ("assert", "exception", "memory", "violation", "exit"), the exception `type` and `message`.
 */
export const HARNESS = String.raw`
import ast, errno, json, operator, os, resource, sys, time

_MAIN = os.getpid()
_FD = 3
_TEXT = 2000

def _report(event):
    # A process forked by the code must not speak for the harness.
    if os.getpid() != _MAIN:
        os._exit(0)
    data = (json.dumps(event) + "\n").encode("utf-8", "replace")
    try:
        while data:
            data = data[os.write(_FD, data):]
    except OSError:
        pass

def _cut(text):
    return text if len(text) <= _TEXT else text[:_TEXT] + "... (truncated)"

def _repr(value):
    try:
        text = repr(value)
    except BaseException as e:
        text = "<repr failed: %s>" % type(e).__name__
    return text if len(text) <= 300 else text[:300] + "..."

_VIOLATIONS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.EAGAIN, errno.EFBIG, errno.EMFILE,
               errno.ENETUNREACH, errno.ENETDOWN, errno.EHOSTUNREACH, errno.ECONNREFUSED, errno.EADDRNOTAVAIL}

def _is_dns_failure(e):
    # socket is imported only if the code did: not paying for it on every run.
    socket = sys.modules.get("socket")
    return socket is not None and isinstance(e, socket.gaierror)

def _failure(e):
    if isinstance(e, MemoryError):
        kind = "memory"
    elif _is_dns_failure(e) or (isinstance(e, OSError) and e.errno in _VIOLATIONS):
        kind = "violation"
    elif isinstance(e, SystemExit):
        kind = "exit"
    elif isinstance(e, AssertionError):
        kind = "assert"
    else:
        kind = "exception"
    try:
        message = str(e)
    except BaseException:
        message = ""
    if isinstance(e, SystemExit):
        message = "the code called sys.exit(%s)" % _repr(e.code)
    return {"kind": kind, "type": type(e).__name__, "message": _cut(message)}

def _guarded(run):
    try:
        run()
        failure = None
    except BaseException as e:
        failure = _failure(e)
    if os.getpid() != _MAIN:
        os._exit(0)
    return failure

def _run(compiled, scope):
    return _guarded(lambda: exec(compiled, scope))

_OPS = {ast.Eq: (operator.eq, "=="), ast.NotEq: (operator.ne, "!="), ast.Lt: (operator.lt, "<"),
        ast.LtE: (operator.le, "<="), ast.Gt: (operator.gt, ">"), ast.GtE: (operator.ge, ">="),
        ast.Is: (operator.is_, "is"), ast.IsNot: (operator.is_not, "is not"),
        ast.In: (lambda a, b: a in b, "in"), ast.NotIn: (lambda a, b: a not in b, "not in")}

def _compile_test(source):
    tree = ast.parse(source, "<test>", "exec")
    if len(tree.body) == 1 and isinstance(tree.body[0], ast.Assert) and tree.body[0].msg is None:
        test = tree.body[0].test
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and type(test.ops[0]) in _OPS:
            # "assert f(x) == y": evaluate each side once, so a failure can say what f(x) was.
            left = compile(ast.Expression(test.left), "<test>", "eval")
            right = compile(ast.Expression(test.comparators[0]), "<test>", "eval")
            return ("compare", left, right, _OPS[type(test.ops[0])])
    return ("exec", compile(tree, "<test>", "exec"))

def _run_test(compiled, scope):
    if compiled[0] == "exec":
        return _run(compiled[1], scope)
    _, left, right, (op, symbol) = compiled
    box = {}
    def check():
        a = eval(left, scope)
        b = eval(right, scope)
        if not op(a, b):
            box["message"] = "got %s, expected %s %s" % (_repr(a), symbol, _repr(b))
            raise AssertionError(box["message"])
    return _guarded(check)

def main():
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    limits = request["limits"]
    cpu = int(limits["cpuSeconds"])
    for name, soft, hard in (("RLIMIT_CPU", cpu, cpu + 1),
                             ("RLIMIT_AS", limits["memoryBytes"], limits["memoryBytes"]),
                             ("RLIMIT_NPROC", limits["processes"], limits["processes"]),
                             ("RLIMIT_FSIZE", limits["fileBytes"], limits["fileBytes"]),
                             ("RLIMIT_NOFILE", limits["openFiles"], limits["openFiles"]),
                             ("RLIMIT_CORE", 0, 0)):
        resource.setrlimit(getattr(resource, name), (int(soft), int(hard)))
    _report({"event": "start"})
    scope = {"__name__": "__main__", "__builtins__": __builtins__}
    stages = [("code", request["code"], "<solution>")]
    if request.get("setup"):
        stages.append(("setup", request["setup"], "<setup>"))
    for stage, source, filename in stages:
        try:
            compiled = compile(source, filename, "exec")
        except (SyntaxError, ValueError) as e:
            _report({"event": "syntax_error", "stage": stage, "type": type(e).__name__,
                     "message": _cut(str(e)), "line": getattr(e, "lineno", None)})
            return
        failure = _run(compiled, scope)
        if failure is not None:
            _report(dict({"event": "error", "stage": stage}, **failure))
            return
    for index, source in enumerate(request["tests"]):
        started = time.monotonic()
        try:
            compiled = _compile_test(source)
            failure = _run_test(compiled, scope)
        except (SyntaxError, ValueError) as e:
            failure = {"kind": "syntax", "type": type(e).__name__, "message": _cut(str(e))}
        event = {"event": "test", "index": index, "passed": failure is None,
                 "ms": round((time.monotonic() - started) * 1000, 3)}
        if failure is not None:
            event.update(failure)
        _report(event)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    _report({"event": "done"})

main()
`
