"""Files uploaded through ``dcc.Upload`` and results computed on the server, kept in private
scratch folders named by random tokens.

The browser only ever holds a token. Whatever is shown or scored is recomputed on the server
from the files in the token's folder, never from values the browser sends back.
"""

from __future__ import annotations

import base64
import binascii
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from workbench.i18n import t

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
KEEP_SECONDS = 24 * 3600
_TOKEN = re.compile(r"[0-9a-f]{32}")


class UploadError(ValueError):
    """An upload that cannot even be stored (not a file, too large); the message is in the
    user's language."""


def scratch_root() -> Path:
    return Path(tempfile.gettempdir()) / "lab-workbench-scratch"


_last_sweep: float | None = None
SWEEP_SECONDS = 600


def new_folder() -> tuple[str, Path]:
    """A fresh scratch folder and its token; folders older than a day are removed (at most
    every ten minutes: a class uploads often, and the sweep reads the whole scratch root)."""
    global _last_sweep
    root = scratch_root()
    root.mkdir(parents=True, exist_ok=True)
    if _last_sweep is None or time.monotonic() - _last_sweep > SWEEP_SECONDS:
        _last_sweep = time.monotonic()
        cutoff = time.time() - KEEP_SECONDS
        for old in root.iterdir():
            if old.is_dir() and old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)
    token = uuid.uuid4().hex
    folder = root / token
    folder.mkdir()
    return token, folder


def folder_of(token: object) -> Path | None:
    """The scratch folder of ``token``; None for anything that is not a live token."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    folder = scratch_root() / token
    return folder if folder.is_dir() else None


def stored_file(token: object) -> Path | None:
    """The file kept under ``token`` (an upload or a result written on the server), if any."""
    folder = folder_of(token)
    files = sorted(p for p in folder.iterdir() if p.is_file()) if folder else []
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


def save_upload(contents: str, filename: str | None) -> tuple[str, Path]:
    """Store an uploaded file under its safe name in a new scratch folder: (token, path)."""
    data = decode_contents(contents)
    token, folder = new_folder()
    path = folder / safe_name(filename)
    path.write_bytes(data)
    return token, path
