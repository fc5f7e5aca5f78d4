"""Fixtures for the sandbox tests: a host layout to protect and a one-call submitter."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from workbench.grading.isolation import probe
from workbench.grading.sandbox import Limits, run_submission

from .tinylab import LAB, OTHER_STUDENT, make_case

# Small limits keep the whole suite fast; each run gets a few seconds at most.
FAST = Limits(wall_s=8, cpu_s=4, memory_bytes=1 * 2**30, processes=32,
              file_size=4 * 2**20, output_bytes=64 * 1024, scratch_bytes=64 * 2**20)

needs_bwrap = pytest.mark.skipif(not probe().bwrap, reason="bubblewrap cannot run here: "
                                 + "; ".join(probe().notes))


@dataclass
class Host:
    """What a submission must never read or change: the answer key, another student's work,
    a file elsewhere on the host."""

    root: Path
    public: Path
    key: Path
    other: Path
    sentinel: Path

    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        guarded = [self.sentinel, *self.public.parent.rglob("*"), *self.other.parent.rglob("*")]
        for path in sorted(p for p in guarded if p.is_file()):
            digest.update(str(path).encode() + path.read_bytes())
        return digest.hexdigest()


@pytest.fixture
def host(tmp_path: Path) -> Host:
    public, key = make_case(tmp_path / "case")
    other = tmp_path / "students" / "bob" / "submission.py"
    other.parent.mkdir(parents=True)
    other.write_text(f"# {OTHER_STUDENT}\n")
    sentinel = tmp_path / "host-sentinel.txt"
    sentinel.write_text("untouched\n")
    return Host(tmp_path, public, key, other, sentinel)


@pytest.fixture
def cgroups(monkeypatch) -> list[Path]:
    """Folders of the cgroups the runs of this test create (others may exist on the host)."""
    from workbench.grading.cgroup import Cgroup

    created: list[Path] = []
    original = Cgroup.__init__

    def record(self, *args, **kwargs):
        original(self, *args, **kwargs)
        created.extend(self.groups)

    monkeypatch.setattr(Cgroup, "__init__", record)
    return created


@pytest.fixture
def submit(host: Host, tmp_path: Path, cgroups: list[Path]):
    """submit(source, name="submission.py", limits=FAST, mode="auto") -> (path, reasons)."""
    counter = iter(range(1000))

    def _submit(source: str | bytes | Path, name: str = "submission.py",
                limits: Limits = FAST, mode: str = "auto"):
        n = next(counter)
        if isinstance(source, Path):
            path = source
        else:
            path = tmp_path / "uploads" / str(n) / name
            path.parent.mkdir(parents=True)
            if isinstance(source, str):
                source = (source.replace("@KEY@", str(host.key))
                          .replace("@OTHER@", str(host.other))
                          .replace("@SENTINEL@", str(host.sentinel)))
                path.write_text(source)
            else:
                path.write_bytes(source)
        return run_submission(LAB, path, host.public, limits=limits, mode=mode,
                              workdir=tmp_path / "runs" / str(n))

    return _submit
