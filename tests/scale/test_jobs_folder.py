"""Background jobs keep their (pickled) results in a folder private to the server instance:
a fresh 0700 folder per process by default, never a fixed shared /tmp path; a folder given in
WORKBENCH_JOBS that others can open or that another user owns is refused."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from workbench.app import callbacks

SHOW = (
    "from workbench.app.callbacks import cache_dir; import os, stat; d = cache_dir(); "
    "print(d, oct(stat.S_IMODE(d.stat().st_mode)), d.stat().st_uid == os.geteuid())"
)


def folder_of_a_new_process(env: dict[str, str]) -> tuple[str, str, str]:
    done = subprocess.run(
        [sys.executable, "-c", SHOW], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return tuple(done.stdout.split())


def test_each_instance_gets_its_own_private_folder():
    env = {k: v for k, v in os.environ.items() if k != callbacks.JOBS_ENV}
    one, two = folder_of_a_new_process(env), folder_of_a_new_process(env)
    assert one[0] != two[0]  # not a fixed path shared by every instance
    assert one[1:] == ("0o700", "True") and two[1:] == ("0o700", "True")
    assert not os.path.exists(one[0])  # removed when its process ended


def test_a_folder_open_to_others_is_refused(tmp_path):
    folder = tmp_path / "jobs"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    with pytest.raises(callbacks.JobsFolderError, match="open to other users"):
        callbacks.check_private(folder)
    folder.chmod(0o700)
    callbacks.check_private(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_folder_of_another_user_is_refused(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("making a folder owned by another user needs root")
    folder = tmp_path / "theirs"
    folder.mkdir(mode=0o700)
    os.chown(folder, 65534, 65534)
    with pytest.raises(callbacks.JobsFolderError, match="belongs to another user"):
        callbacks.check_private(folder)


def test_serve_says_why_it_refuses_a_shared_jobs_folder(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o777)
    env = {**os.environ, callbacks.JOBS_ENV: str(folder)}
    done = subprocess.run(
        [
            str(__import__("pathlib").Path(sys.executable).with_name("workbench")),
            "serve",
            "--port",
            "1",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert done.returncode != 0 and "open to other users" in done.stderr
    assert "Traceback" not in done.stderr
