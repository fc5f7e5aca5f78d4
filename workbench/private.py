"""Folders and files only their owner may read: course files (gradebook, answer keys, secrets)
and the web server's scratch folders.

A folder the workbench keeps private is made ``0700`` and checked before use: a real folder
(not a link), owned by the user running the workbench, closed to group and others (tightened
when it is ours but too open). A folder another user made or owns is refused: whoever can write
there could plant files the server then reads.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


class NotPrivate(PermissionError):
    """A folder the workbench must keep private is not, and cannot be made so."""


def private_dir(path: str | Path) -> Path:
    """``path`` as a folder only its owner may enter, made (with missing parents, those made
    ``0700`` too) if needed; raise :class:`NotPrivate` if another user owns it or it is a
    link."""
    path = Path(path)
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise NotPrivate(f"{path} is not a folder (a link or a file); remove it and start "
                         "again")
    if info.st_uid != os.getuid():
        raise NotPrivate(f"{path} belongs to another user (uid {info.st_uid}); the workbench "
                         "keeps its files in folders of its own — remove it or choose another "
                         "place")
    if stat.S_IMODE(info.st_mode) & 0o077:
        os.chmod(path, DIR_MODE)
    return path


def private_file(path: str | Path) -> Path:
    """Make an existing file of ours readable and writable by its owner only."""
    path = Path(path)
    info = os.lstat(path)
    if stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid() and \
            stat.S_IMODE(info.st_mode) & 0o077:
        os.chmod(path, FILE_MODE)
    return path


def tighten(root: str | Path) -> None:
    """Close everything under ``root`` (which must be ours) to group and others: folders
    ``0700``, files ``0600``; links are left alone (never followed)."""
    root = Path(root)
    if not root.exists():
        return
    private_dir(root)
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            _close(Path(folder) / name, DIR_MODE)
        for name in files:
            _close(Path(folder) / name, FILE_MODE)


def _close(path: Path, mode: int) -> None:
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode) or info.st_uid != os.getuid():
        return
    if stat.S_IMODE(info.st_mode) & 0o077:
        os.chmod(path, stat.S_IMODE(info.st_mode) & 0o700 | (mode & 0o700))
