"""The course the app serves: its folder, gradebook, class code and session secret.

The app finds the course in the ``WORKBENCH_COURSE`` environment variable (``workbench serve
--course COURSE`` sets it). The folder is the one ``workbench assign`` writes (see
:mod:`workbench.assign`); the classroom keeps its tables in the course's database:
``WORKBENCH_DB`` (``serve --db URL``, e.g. PostgreSQL) or else ``COURSE/gradebook.sqlite``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import cache
from pathlib import Path

from workbench.assign import Course, course_secret
from workbench.i18n import N_, t
from workbench.store import Gradebook, course_database

ENV = "WORKBENCH_COURSE"
SESSION_SECRET = "session-secret.txt"


class NoCourse(RuntimeError):
    """The app runs without a course folder; pages say how to start one."""


def course_root() -> Path | None:
    """The course folder the app serves, if any."""
    value = os.environ.get(ENV, "").strip()
    return Path(value).expanduser().resolve() if value else None


def current_course() -> Course:
    root = course_root()
    if root is None:
        raise NoCourse(f"no course folder: start the app with `workbench serve --course "
                       f"COURSE` (or set {ENV})")
    return Course(root)


@cache
def _gradebook(path: str, pid: int) -> Gradebook:
    # one engine (connection pool) per course database and process: a background job is a
    # forked process, and database connections must not be shared across a fork
    return Gradebook(path)


def gradebook(course: Course | None = None) -> Gradebook:
    """The course's gradebook (created on first use), shared by every request."""
    course = course or current_course()
    course.root.mkdir(parents=True, exist_ok=True)
    return _gradebook(str(course_database(course.gradebook_path)), os.getpid())


_SECRETS: dict[Path, str] = {}


def _secret(course: Course) -> str:
    """The course secret, read once per process (it never changes once made)."""
    if course.root not in _SECRETS:
        _SECRETS[course.root] = course_secret(course)
    return _SECRETS[course.root]


def class_code(course: Course | None = None) -> str:
    """Six letters students type to sign in: derived from the course secret, so it is stable
    for the course and cannot be guessed from another course's code."""
    course = course or current_course()
    digest = hmac.new(_secret(course).encode(), b"class-code", hashlib.sha256).digest()
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: read aloud and typed from a projector
    return "".join(alphabet[b % len(alphabet)] for b in digest[:6])


def pseudonym(student: str, course: Course | None = None) -> str:
    """The name a student appears under on the leaderboard: an HMAC of their id, so classmates
    cannot recover the id, yet it never changes during the course. It is said in the reader's
    language from the same key: "Swift Otter 3fa2" reads "敏捷水獭 3fa2" in Chinese."""
    course = course or current_course()
    digest = hmac.new(_secret(course).encode(), f"pseudonym:{student}".encode(),
                      hashlib.sha256).digest()
    adjective = ADJECTIVES[digest[0] % len(ADJECTIVES)]
    animal = ANIMALS[digest[1] % len(ANIMALS)]
    return t("{adjective} {animal} {tag}", adjective=t(adjective), animal=t(animal),
             tag=digest[2:4].hex())


ADJECTIVES = (N_("Swift"), N_("Quiet"), N_("Bold"), N_("Bright"), N_("Calm"), N_("Clever"),
              N_("Eager"), N_("Brave"), N_("Lucky"), N_("Keen"), N_("Gentle"), N_("Rapid"),
              N_("Steady"), N_("Witty"), N_("Sunny"), N_("Noble"))
ANIMALS = (N_("Otter"), N_("Falcon"), N_("Panda"), N_("Heron"), N_("Lynx"), N_("Crane"),
           N_("Tiger"), N_("Koala"), N_("Dolphin"), N_("Fox"), N_("Owl"), N_("Yak"), N_("Gecko"),
           N_("Badger"), N_("Swan"), N_("Marten"))


def session_secret(course: Course | None = None) -> str:
    """The key that signs session cookies: one random secret per course folder (mode 0600),
    or a fresh one per process when no course is served (nothing to sign in to then)."""
    root = course_root() if course is None else course.root
    if root is None:
        return _process_secret()
    path = Course(root).instructor / SESSION_SECRET
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{SESSION_SECRET}.{os.getpid()}")
        tmp.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)  # atomic and never overwrites: two processes agree on one key
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text(encoding="utf-8").strip()


@cache
def _process_secret() -> str:
    return secrets.token_hex(32)
