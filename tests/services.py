"""Throwaway servers for the tests: PostgreSQL, Redis, a Dask scheduler with workers.

Each is started by a fixture on 127.0.0.1 with a free port, in a private temporary folder, and
stopped at the end; where it cannot be started (the Debian package is missing) the tests that
need it are skipped with the reason. PostgreSQL's ``initdb`` refuses to run as root: as root
the server runs as the Debian ``postgres`` user (``runuser``) in a folder that user owns.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 30, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


def stop_group(proc: subprocess.Popen, seconds: float = 30) -> None:
    """End a server started with ``start_new_session=True`` and everything it started: SIGTERM
    to its process group, SIGKILL if it is still there after ``seconds``."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        proc.wait()


# ---- PostgreSQL -------------------------------------------------------------------------------


@dataclass
class Postgres:
    """A running throwaway PostgreSQL server; :meth:`database` makes an empty database."""

    port: int
    folder: Path
    databases: list[str] = field(default_factory=list)

    def url(self, name: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def database(self, template: str | None = None) -> str:
        """A new database (a copy of ``template`` if given); return its SQLAlchemy URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(
                f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
            )
        self.databases.append(name)
        return self.url(name)


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    runuser = shutil.which("runuser")
    if runuser is None:
        raise RuntimeError("running as root and `runuser` is missing: initdb refuses root")
    return [runuser, "-u", "postgres", "--", *cmd]


def start_postgres() -> tuple[Postgres | None, str]:
    """(server, "") or (None, why it could not start)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return None, "psycopg is not installed (uv sync --extra postgres)"
    bindir = _postgres_bin()
    if bindir is None:
        return None, "PostgreSQL is not installed (Debian: apt-get install postgresql)"
    folder = Path(tempfile.mkdtemp(prefix="workbench-pg-"))
    if os.geteuid() == 0:
        import pwd

        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            return None, "running as root and there is no `postgres` user to run initdb as"
        os.chown(folder, user.pw_uid, user.pw_gid)
    port = free_port()
    data, log = folder / "data", folder / "server.log"
    try:
        subprocess.run(
            _as_server_user(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(data),
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "--no-sync",
                    "-E",
                    "UTF8",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )
        options = (
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            _as_server_user(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(log),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=90,
        )
    except (subprocess.SubprocessError, OSError, RuntimeError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        shutil.rmtree(folder, ignore_errors=True)
        return None, f"PostgreSQL could not be started: {exc} {detail.decode()[-300:]}"
    return Postgres(port, folder), ""


def stop_postgres(server: Postgres) -> None:
    bindir = _postgres_bin()
    subprocess.run(
        _as_server_user(
            [str(bindir / "pg_ctl"), "-D", str(server.folder / "data"), "-m", "immediate", "stop"]
        ),
        capture_output=True,
        timeout=60,
    )
    shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A PostgreSQL server for the whole test session (skips the test if none can start)."""
    server, why = start_postgres()
    if server is None:
        pytest.skip(why)
    try:
        yield server
    finally:
        stop_postgres(server)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """A fresh, empty gradebook database: an SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gradebook.sqlite'}"
    return request.getfixturevalue("postgres").database()


# ---- Redis ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A Redis server (Debian redis-server) on loopback, no persistence."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    port = free_port()
    folder = tempfile.mkdtemp(prefix="workbench-redis-")
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            folder,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, 20, proc)
    except (TimeoutError, RuntimeError) as exc:
        proc.kill()
        pytest.skip(f"redis-server could not be started: {exc}")
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)


# ---- Dask -------------------------------------------------------------------------------------


@dataclass
class DaskCluster:
    """A real ``dask scheduler`` and ``dask worker`` processes on loopback."""

    address: str
    scheduler: subprocess.Popen
    workers: list[subprocess.Popen]
    cwd: Path

    def kill_worker(self, k: int) -> None:
        os.killpg(self.workers[k].pid, signal.SIGKILL)
        self.workers[k].wait(timeout=20)

    def stop(self) -> None:
        for proc in [*self.workers, self.scheduler]:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=20)


def start_dask(cwd: Path, workers: int = 2, *, nthreads: int = 1) -> DaskCluster:
    """Start a scheduler and ``workers`` worker processes whose working folder is ``cwd``
    (each in its own process group, so a test can kill one with everything it started)."""
    dask = Path(sys.executable).with_name("dask")
    port, dashboard = free_port(), free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    scheduler = subprocess.Popen(
        [
            str(dask),
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--dashboard-address",
            f"127.0.0.1:{dashboard}",
            "--no-show",
        ],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_for_port(port, 60, scheduler)
    procs = [
        subprocess.Popen(
            [
                str(dask),
                "worker",
                address,
                "--nworkers",
                "1",
                "--nthreads",
                str(nthreads),
                "--host",
                "127.0.0.1",
                "--no-dashboard",
                "--local-directory",
                str(cwd / f"w{k}"),
                "--death-timeout",
                "30",
            ],
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for k in range(workers)
    ]
    cluster = DaskCluster(address, scheduler, procs, cwd)
    from distributed import Client

    try:
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(workers, timeout=90)
    except Exception:
        cluster.stop()
        raise
    return cluster
