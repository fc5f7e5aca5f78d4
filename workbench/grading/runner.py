"""Bootstrap run inside the sandbox: ``python -I -S runner.py CONFIG_JSON``.

Standard library only, and nothing from the workbench: this file is all of the grader that
the sandbox can see. It forks; the child sets the resource limits, imports the student's
``submission`` module and calls ``function(public_dir, out_dir)``; the parent waits, then sends
the child's exit status and the bytes of ``out_dir/output`` (if it is a regular file) over the
result pipe. Whatever arrives there is untrusted data, exactly like the file itself: the
grader only ever reads it as a file, never as Python objects. When started as root (see
``isolation``), it first becomes uid 65534 for good.
"""

import errno
import json
import os
import resource
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


def run_student(cfg: dict) -> None:
    """Child side: limits, import, call; never returns."""
    code = 1
    try:
        set_limits(cfg["limits"])
        os.chdir(cfg["work"])
        sys.dont_write_bytecode = True
        sys.path[:0] = [cfg["code"]]
        sys.path.extend(cfg["site"])
        from pathlib import Path

        import submission  # the student's module, staged as submission.py

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


def read_output(path: str, max_bytes: int) -> tuple[dict, bytes]:
    """Header and bytes of the output file, refusing links, FIFOs and oversized files."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return {"found": False}, b""
        error = "it is a symbolic link" if exc.errno == errno.ELOOP else exc.strerror
        return {"found": False, "error": error or "cannot open"}, b""
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return {"found": False, "error": "it is not a regular file"}, b""
        if info.st_size > max_bytes:
            return {"found": True, "too_big": True, "size": info.st_size}, b""
        data = f.read(max_bytes + 1)[:max_bytes]
    return {"found": True, "size": len(data)}, data


def main() -> None:
    cfg = json.loads(sys.argv[1])
    result = int(cfg.pop("result_fd"))
    if cfg.get("drop_to") is not None:
        drop_privileges(int(cfg["drop_to"]))
    pid = os.fork()
    if pid == 0:
        os.close(result)
        run_student(cfg)
    _, status, usage = os.wait4(pid, 0)
    header = {"exit": os.waitstatus_to_exitcode(status),
              "cpu_s": usage.ru_utime + usage.ru_stime}
    output, data = read_output(os.path.join(cfg["out"], cfg["output"]),
                               cfg["limits"]["file_size"])
    header.update(output)
    with os.fdopen(result, "wb") as pipe:
        pipe.write(json.dumps(header).encode() + b"\n" + data)


if __name__ == "__main__":
    main()
