"""Files uploaded through ``dcc.Upload`` and results computed on the server, kept in private
scratch folders named by random tokens.

The browser only ever holds a token. Whatever is shown or scored is recomputed on the server
from the files in the token's folder, never from values the browser sends back. The scratch
root is private to the server's user (``0700``, owner checked, see :mod:`workbench.private`):
``COURSE/scratch/`` when a course is served (shared by every process serving it), else a fresh
folder of this server instance under the system's temporary folder. A folder may record its
owner (``save_upload(..., owner=...)``); :func:`folder_of` with ``owner`` then refuses anyone
else's token.
"""

from __future__ import annotations

import base64
import binascii
import re
import shutil
import tempfile
import time
import uuid
from functools import cache
from pathlib import Path

from workbench.i18n import t
from workbench.private import private_dir

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
KEEP_SECONDS = 24 * 3600
_TOKEN = re.compile(r"[0-9a-f]{32}")


class UploadError(ValueError):
    """An upload that cannot even be stored (not a file, too large); the message is in the
    user's language."""


OWNER_FILE = ".owner"


def scratch_root() -> Path:
    """The private folder holding every scratch folder (see the module docstring)."""
    from workbench.classroom.course import course_root

    course = course_root()
    return private_dir(course / "scratch") if course else _instance_root()


@cache
def _instance_root() -> Path:
    # mkdtemp: a new name (nobody can have made it in advance), mode 0700, ours; forked job
    # processes inherit the cached path
    return Path(tempfile.mkdtemp(prefix="lab-workbench-scratch-"))


_last_sweep: float | None = None
SWEEP_SECONDS = 600


def new_folder() -> tuple[str, Path]:
    """A fresh scratch folder and its token; folders older than a day are removed (at most
    every ten minutes: a class uploads often, and the sweep reads the whole scratch root)."""
    global _last_sweep
    root = private_dir(scratch_root())  # checked again: it may have been removed meanwhile
    if _last_sweep is None or time.monotonic() - _last_sweep > SWEEP_SECONDS:
        _last_sweep = time.monotonic()
        cutoff = time.time() - KEEP_SECONDS
        for old in root.iterdir():
            if old.is_dir() and old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)
    token = uuid.uuid4().hex
    folder = root / token
    folder.mkdir(mode=0o700)
    return token, folder


def folder_of(token: object, owner: str | None = None) -> Path | None:
    """The scratch folder of ``token``; None for anything that is not a live token (or, given
    ``owner``, a token whose folder was saved for someone else)."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    folder = scratch_root() / token
    if not folder.is_dir():
        return None
    if owner is not None:
        mark = folder / OWNER_FILE
        if not mark.is_file() or mark.read_text(encoding="utf-8") != owner:
            return None
    return folder


def stored_file(token: object, owner: str | None = None) -> Path | None:
    """The file kept under ``token`` (an upload or a result written on the server), if any."""
    folder = folder_of(token, owner)
    files = sorted(p for p in folder.iterdir()
                   if p.is_file() and not p.name.startswith(".")) if folder else []
    return files[0] if files else None


def safe_name(filename: str | None, default: str = "upload") -> str:
    """The uploaded file's base name with only letters, digits, ``.``, ``-``, ``_`` kept, so
    messages can name the student's file without letting it choose a path."""
    name = re.sub(r"[^\w.-]", "_", Path(filename or "").name).lstrip(".")
    return name[:100] or default


def decode_contents(contents: str) -> bytes:
    """The bytes of a ``dcc.Upload`` data URL (``data:<type>;base64,<data>``)."""
    if not isinstance(contents, str) or "," not in contents:
        raise UploadError(t("the upload did not contain a file"))
    header, _, data = contents.partition(",")
    if not header.startswith("data:") or not header.endswith(";base64"):
        raise UploadError(t("the upload did not contain a file"))
    if len(data) * 3 // 4 > MAX_UPLOAD_BYTES:
        raise UploadError(t("the file is larger than {mb} MB",
                            mb=f"{MAX_UPLOAD_BYTES / (1024 * 1024):g}"))
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise UploadError(t("the upload was damaged on the way; upload the file again")
                          ) from None


def save_upload(contents: str, filename: str | None, owner: str | None = None,
                ) -> tuple[str, Path]:
    """Store an uploaded file under its safe name in a new scratch folder: (token, path).
    ``owner`` (e.g. ``"student:s01"``) is recorded, for :func:`folder_of` to check."""
    data = decode_contents(contents)
    token, folder = new_folder()
    if owner is not None:
        (folder / OWNER_FILE).write_text(owner, encoding="utf-8")
    path = folder / safe_name(filename)
    path.write_bytes(data)
    return token, path
