"""Bootstrap run inside the sandbox: ``python -I -S runner.py CONFIG_JSON``.

Standard library only, and nothing from the workbench: this file is all of the grader that
the sandbox can see. It forks; the child sets the resource limits, imports the student's
``submission`` module, calls the lab's exercise step functions (each return value serialised
to ``out_dir/steps/``, see :func:`run_steps`) and then ``function(public_dir, out_dir)``; the
parent waits, then sends the child's exit status and the bytes of ``out_dir/output`` and of the
expected step files (regular files only, within one size budget) over the result pipe. Whatever arrives there is untrusted data, exactly like the file itself: the
grader only ever reads it as a file, never as Python objects. When started as root (see
``isolation``), it first becomes uid 65534 for good.
"""

import errno
import functools
import json
import math
import os
import resource
import signal
import stat
import sys
import traceback


def drop_privileges(uid: int) -> None:
    """Become ``uid`` for good (bubblewrap run by root starts us as root with only
    CAP_SETUID/CAP_SETGID); refuse to go on if root could be regained."""
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    try:
        os.setuid(0)
    except PermissionError:
        return
    raise SystemExit("workbench sandbox: could not drop root privileges; not running the code")


def set_limits(limits: dict) -> None:
    """Apply the run's resource limits to this process (and its future children)."""
    cpu = int(limits["cpu_s"])
    pairs = {
        resource.RLIMIT_CPU: (cpu, cpu + 1),  # SIGXCPU at the soft limit, SIGKILL one second on
        resource.RLIMIT_AS: (limits["memory_bytes"],) * 2,
        resource.RLIMIT_NPROC: (limits["processes"],) * 2,
        resource.RLIMIT_FSIZE: (limits["file_size"],) * 2,
        resource.RLIMIT_NOFILE: (limits["open_files"],) * 2,
        resource.RLIMIT_CORE: (0, 0),
    }
    for which, (soft, hard) in pairs.items():
        _, current_hard = resource.getrlimit(which)
        if current_hard != resource.RLIM_INFINITY:
            soft, hard = min(soft, current_hard), min(hard, current_hard)
        resource.setrlimit(which, (soft, hard))


STEPS_DIR = "steps"
STATUS_FILE = "_status.json"
SUFFIXES = {"json": ".json", "frame": ".csv", "text": ".txt"}


def step_files(cfg: dict) -> list[str]:
    """The step files the parent accepts, relative to the out folder (nothing else is sent)."""
    steps = cfg.get("steps") or []
    if not steps:
        return []
    return [f"{STEPS_DIR}/{STATUS_FILE}"] + [
        f"{STEPS_DIR}/{s['id']}{SUFFIXES.get(s['output'], '.json')}" for s in steps]


def _plain(value):
    """JSON fallback for numpy/pandas values, dates, paths and sets (duck-typed: stdlib only)."""
    if hasattr(value, "to_dict") and hasattr(value, "columns"):
        return value.to_dict(orient="records")  # a DataFrame in a JSON step
    if hasattr(value, "tolist"):
        return value.tolist()  # numpy arrays and scalars, pandas Series
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    if hasattr(value, "__fspath__"):
        return os.fspath(value)
    raise TypeError(f"a {type(value).__name__} cannot be stored as JSON; return numbers, "
                    "strings, lists and dicts")


def _finite(value):
    """NaN and infinities become None (JSON has neither)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def encode_value(value, kind: str) -> tuple:
    """``(suffix, bytes, meta)`` of a step's return value (see workbench.exercise)."""
    if kind == "frame":
        if not (hasattr(value, "to_csv") and hasattr(value, "dtypes")
                and hasattr(value, "columns")):
            raise TypeError(f"expected a pandas DataFrame, got {type(value).__name__}")
        columns = [str(c) for c in value.columns]
        if len(set(columns)) != len(columns):
            raise ValueError("the table has repeated column names")
        meta = {"columns": columns,
                "dtypes": {str(c): str(d) for c, d in value.dtypes.items()}}
        return ".csv", value.to_csv(index=False).encode("utf-8"), meta
    if kind == "text":
        if not isinstance(value, str):
            raise TypeError(f"expected a str, got {type(value).__name__}")
        return ".txt", value.encode("utf-8", errors="replace"), {}
    text = json.dumps(value, default=_plain, ensure_ascii=False, allow_nan=True)
    # a second pass turns NaN into null without touching the student's objects
    text = json.dumps(_finite(json.loads(text)), ensure_ascii=False)
    return ".json", text.encode("utf-8"), {}


def _memo(function):
    """The step function, answering a repeated call with the same arguments from memory:
    the entry function usually calls the steps again on the same inputs."""
    cache = {}

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if kwargs:
            return function(*args, **kwargs)
        key = tuple(_arg_key(a) for a in args)
        try:
            hash(key)
        except TypeError:
            return function(*args)
        if key not in cache:
            cache[key] = function(*args)
        return cache[key]

    wrapper.__workbench_cache__ = cache
    return wrapper


STEP_SHARE = 0.5  # one step may use at most this share of the run's wall-clock time


class StepTimeout(BaseException):
    """A step ran past its share of the run's time (a BaseException: ``except Exception`` in
    the student's code does not swallow it)."""


def _stop_step(_signum, _frame):
    raise StepTimeout


def run_steps(module, cfg: dict) -> None:
    """Call each step function on its inputs; write its value and a status file to
    ``out/steps``. A step whose input produced nothing is skipped. A step that runs past
    ``STEP_SHARE`` of the run's wall-clock limit is stopped (a hanging step does not cost the
    steps after it and the entry function their time). Nothing here raises."""
    from pathlib import Path

    steps = cfg.get("steps") or []
    if not steps:
        return
    folder = os.path.join(cfg["out"], STEPS_DIR)
    os.makedirs(folder, exist_ok=True)
    values, status = {}, {}
    public = Path(cfg["public"])
    step_s = max(1.0, float(cfg.get("limits", {}).get("wall_s", 60)) * STEP_SHARE)
    signal.signal(signal.SIGALRM, _stop_step)
    for step in steps:
        sid, name = step["id"], step["function"]
        try:
            signal.setitimer(signal.ITIMER_REAL, step_s)
            try:
                status[sid] = _run_step(module, step, public, values, folder)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except StepTimeout:
            status[sid] = {"status": "timed_out", "seconds": round(step_s)}
        except BaseException as exc:  # a student's KeyboardInterrupt and the like
            status[sid] = {"status": "error", "message": f"{type(exc).__name__}: "
                           f"{str(exc)[:300]}"}
        if status[sid]["status"] == "ok" and callable(getattr(module, name, None)):
            wrapped = _memo(getattr(module, name))
            wrapped.__workbench_cache__[_key(step, public, values)] = values[sid]
            setattr(module, name, wrapped)
    with open(os.path.join(folder, STATUS_FILE), "w", encoding="utf-8") as f:
        json.dump(status, f, ensure_ascii=False)


def _arg_key(a) -> tuple:
    """Plain values and paths by value, anything else by identity (the same object)."""
    if isinstance(a, str | int | float | bool) or a is None or hasattr(a, "__fspath__"):
        return ("v", type(a).__name__, a)
    return ("id", id(a))


def _key(step: dict, public, values: dict) -> tuple:
    return tuple(_arg_key(public if i == "public_dir" else values[i]) for i in step["inputs"])


def _run_step(module, step: dict, public, values: dict, folder: str) -> dict:
    needs = [i for i in step["inputs"] if i != "public_dir" and i not in values]
    if needs:
        return {"status": "skipped", "needs": needs[0]}
    function = getattr(module, step["function"], None)
    if not callable(function):
        return {"status": "missing"}
    args = [public if i == "public_dir" else values[i] for i in step["inputs"]]
    try:
        value = function(*args)
    except NotImplementedError:
        return {"status": "not_done"}
    except Exception as exc:
        frames = traceback.extract_tb(exc.__traceback__)
        line = frames[-1].lineno if frames else None
        return {"status": "error", "message": f"{type(exc).__name__}: {str(exc)[:300]}",
                "line": line}
    try:
        suffix, data, meta = encode_value(value, step["output"])
    except Exception as exc:
        return {"status": "unstorable", "message": f"{type(exc).__name__}: {str(exc)[:300]}"}
    with open(os.path.join(folder, step["id"] + suffix), "wb") as f:
        f.write(data)
    values[step["id"]] = value
    return {"status": "ok", "meta": meta}


SOLUTION = {"reference": "the lab's reference solution", "baseline": "the lab's baseline solution"}
MAX_REPORTED = 20


class KitOnly:
    """Import hook: of the labs, only ``labs.<slug>.kit`` is importable (the toolkit boundary).

    ``labs.<slug>`` itself imports as an empty package (its ``__init__`` is not run: it would
    load the whole lab), so the kit below it can be imported. Any other ``labs.*`` module
    raises an ``ImportError`` naming the rule, and its name is reported to the grader over
    ``report_fd`` (the report then says the outcome is not credited)."""

    def __init__(self, report_fd: int | None) -> None:
        self.report_fd, self.reported = report_fd, set()

    def find_spec(self, name, path=None, target=None):
        parts = name.split(".")
        if parts[0] != "labs" or len(parts) < 2:
            return None
        if len(parts) == 2:
            return self._bare_package(name)
        if parts[2] == "kit":
            return None
        self._report(name)
        what = SOLUTION.get(parts[2], "not part of the lab's toolkit")
        what = f"is {what}" if what.startswith("not") else f"is {what} code"
        raise ImportError(f"{name} {what}; a submission may import only labs.{parts[1]}.kit "
                          f"(the lab's toolkit), the workbench and the installed packages",
                          name=name)

    def _bare_package(self, name):
        import importlib.machinery

        found = importlib.machinery.PathFinder.find_spec(name, sys.modules["labs"].__path__)
        if found is None or not found.submodule_search_locations:
            return None
        spec = importlib.machinery.ModuleSpec(name, _EmptyPackage(), is_package=True)
        spec.submodule_search_locations = list(found.submodule_search_locations)
        return spec

    def _report(self, name: str) -> None:
        if self.report_fd is None or name in self.reported \
                or len(self.reported) >= MAX_REPORTED:
            return
        self.reported.add(name)
        try:
            os.write(self.report_fd, name.encode()[:200] + b"\n")
        except OSError:  # closed by the student's code: the import still fails
            pass


class _EmptyPackage:
    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        pass


def read_reports(fd: int) -> list[str]:
    """The refused imports the student's process reported (what is there now, bounded)."""
    os.set_blocking(fd, False)
    data = b""
    try:
        while len(data) < 65536:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            data += chunk
    except BlockingIOError:
        pass
    names = {line.decode(errors="replace") for line in data.splitlines() if line}
    return sorted(names)[:MAX_REPORTED]


def run_student(cfg: dict) -> None:
    """Child side: limits, import, steps, call; never returns."""
    code = 1
    try:
        set_limits(cfg["limits"])
        os.chdir(cfg["work"])
        sys.dont_write_bytecode = True
        sys.path[:0] = [cfg["code"]]
        sys.path.extend(cfg["site"])
        from pathlib import Path

        sys.meta_path.insert(0, KitOnly(cfg.get("report_fd")))
        os.environ["WORKBENCH_SANDBOX"] = "1"  # workbench.exercise.check() does nothing here
        os.environ["WORKBENCH_PUBLIC"] = cfg["public"]
        _release_layout(cfg["public"])

        import submission  # the student's module, staged as submission.py

        run_steps(submission, cfg)
        function = getattr(submission, cfg["function"], None)
        if not callable(function):
            print(f"workbench: submission.py defines no function {cfg['function']}"
                  f"(public_dir, out_dir)", file=sys.stderr)
        else:
            function(Path(cfg["public"]), Path(cfg["out"]))
            code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # the student's error is reported as text, never re-raised
        traceback.print_exc()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # a closed or replaced stream must not hide the exit code
            pass
    os._exit(code)


def _release_layout(public: str) -> None:
    """``case/public`` in the working folder, as in a release zip, so a notebook's default
    path finds the public files without editing."""
    try:
        os.makedirs("case", exist_ok=True)
        os.symlink(public, os.path.join("case", "public"))
    except OSError:
        pass


def read_output(path: str, max_bytes: int) -> tuple[dict, bytes]:
    """Header and bytes of the output file, refusing links, FIFOs and oversized files."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return {"found": False}, b""
        error = "it is a symbolic link" if exc.errno == errno.ELOOP else exc.strerror
        return {"found": False, "error": error or "cannot open"}, b""
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        error = "it is a folder, not a file" if stat.S_ISDIR(info.st_mode) \
            else "it is not a regular file"
        return {"found": False, "error": error}, b""
    with os.fdopen(fd, "rb") as f:
        if info.st_size > max_bytes:
            return {"found": True, "too_big": True, "size": info.st_size}, b""
        data = f.read(max_bytes + 1)[:max_bytes]
    return {"found": True, "size": len(data)}, data


def main() -> None:
    cfg = json.loads(sys.argv[1])
    result = int(cfg.pop("result_fd"))
    if cfg.get("drop_to") is not None:
        drop_privileges(int(cfg["drop_to"]))
    reports, cfg["report_fd"] = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(result)
        os.close(reports)
        run_student(cfg)
    os.close(cfg.pop("report_fd"))
    _, status, usage = os.wait4(pid, 0)
    header = {"exit": os.waitstatus_to_exitcode(status),
              "cpu_s": usage.ru_utime + usage.ru_stime}
    budget = cfg["limits"]["file_size"]
    output, data = read_output(os.path.join(cfg["out"], cfg["output"]), budget)
    header.update(output)
    chunks, files = [data], []
    budget -= len(data)
    for name in step_files(cfg):
        info, more = read_output(os.path.join(cfg["out"], name), max(budget, 0))
        if info.get("found") and not info.get("too_big"):
            chunks.append(more)
            budget -= len(more)
        files.append({"name": name, **info})
    header["files"] = files
    header["refused_imports"] = read_reports(reports)
    with os.fdopen(result, "wb") as pipe:
        pipe.write(json.dumps(header).encode() + b"\n" + b"".join(chunks))


if __name__ == "__main__":
    main()
