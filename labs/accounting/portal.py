"""The group finance portal: a small "cloud" financial system where regions publish their
exports and the consolidated report is uploaded, behind a login.

Flask on 127.0.0.1 (a free port), SQLite through SQLAlchemy. Like the RPA Challenge, the
element ids, field names, field order and table column order change with ``seed``; only the
visible labels stay, so a bot has to locate fields by their labels. Faults (a locked file, a
corrupt download, a malformed row, a page that fails once) are injected with ``Faults``.
"""

from __future__ import annotations

import hashlib
import secrets
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from flask import Flask, Response, redirect, render_template_string, request, session
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    create_engine,
    insert,
    select,
)
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.serving import WSGIRequestHandler, make_server

from labs.accounting.faults import Faults, TransientError, malform_csv

META = MetaData()
USERS = Table("users", META, Column("id", Integer, primary_key=True), Column("username", String, unique=True),
              Column("password_hash", String))
FILES = Table("files", META, Column("id", Integer, primary_key=True), Column("path", String, unique=True),
              Column("size", Integer), Column("sha256", String), Column("content", LargeBinary))
UPLOADS = Table("uploads", META, Column("id", Integer, primary_key=True), Column("filename", String),
                Column("size", Integer), Column("sha256", String), Column("content", LargeBinary),
                Column("received_at", DateTime))

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}
td,th{border:1px solid #999;padding:4px 8px}label{display:block;margin-top:1em}</style></head>
<body><h1>Group finance portal 集团财务平台</h1>{{ body|safe }}</body></html>"""
INBOX_COLUMNS = ("File", "Region", "Size", "SHA-256", "Download")


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: object, **kwargs: object) -> None:  # the bot logs its own steps
        pass


def _ids(rng: np.random.Generator, n: int) -> list[str]:
    return [f"x{rng.integers(16 ** 7, 16 ** 8):08x}" for _ in range(n)]


class Portal:
    """The portal serving one case's public folder; use as a context manager."""

    def __init__(self, public: Path, *, seed: int = 0, faults: Faults | None = None,
                 username: str = "finance.bot", password: str | None = None, db: Path | None = None):
        self.public, self.faults = Path(public), faults or Faults()
        self.username, self.password = username, password or secrets.token_urlsafe(10)
        rng = np.random.default_rng(seed)
        ids = _ids(rng, 10)
        self.ids = dict(zip(("user", "password", "user_name", "password_name", "login_btn",
                             "table", "report", "pdf", "upload_btn", "receipt"), ids, strict=True))
        self.login_order = list(rng.permutation(2))
        self.columns = [INBOX_COLUMNS[i] for i in rng.permutation(len(INBOX_COLUMNS))]
        self._tmp = tempfile.TemporaryDirectory(prefix="portal-") if db is None else None
        self.engine = create_engine(f"sqlite:///{db or Path(self._tmp.name) / 'portal.db'}")
        META.create_all(self.engine)
        self._publish()
        self.app = self._make_app()
        self._server = None
        self.url = ""

    def _publish(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(USERS).values(username=self.username,
                                              password_hash=generate_password_hash(self.password)))
            for p in sorted(self.public.rglob("*")):
                if not p.is_file():
                    continue
                data = p.read_bytes()
                if p.name in self.faults.malformed:
                    data = malform_csv(data)
                conn.execute(insert(FILES).values(path=p.relative_to(self.public).as_posix(),
                                                  size=len(data), content=data,
                                                  sha256=hashlib.sha256(data).hexdigest()))

    def uploads(self) -> list[dict]:
        """What has been uploaded (newest last)."""
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(UPLOADS).order_by(UPLOADS.c.id))]

    def _page(self, title: str, body: str, status: int = 200) -> Response:
        return Response(render_template_string(PAGE, title=title, body=body), status=status)

    def _unavailable(self) -> Response:
        return self._page("503 Service unavailable", "<p class='error'>Service temporarily "
                          "unavailable, try again.</p>", 503)

    def _make_app(self) -> Flask:
        app = Flask(__name__)
        app.secret_key = secrets.token_bytes(16)
        app.add_url_rule("/", "home", lambda: redirect("/login"))
        app.add_url_rule("/login", "login", self._login, methods=["GET", "POST"])
        app.add_url_rule("/inbox", "inbox", self._inbox)
        app.add_url_rule("/download/<int:file_id>", "download", self._download)
        app.add_url_rule("/upload", "upload", self._upload, methods=["GET", "POST"])
        return app

    def _login(self) -> Response:
        i = self.ids
        if request.method == "POST":
            with self.engine.connect() as conn:
                row = conn.execute(select(USERS).where(
                    USERS.c.username == request.form.get(i["user_name"], ""))).first()
            if row and check_password_hash(row.password_hash, request.form.get(i["password_name"], "")):
                session["user"] = row.username
                return redirect("/inbox")
            return self._page("Sign in", "<p class='error'>Wrong username or password.</p>", 401)
        if self.faults.page("login"):
            return self._unavailable()
        fields = [f"<label for='{i['user']}'>Username</label><input id='{i['user']}' "
                  f"name='{i['user_name']}' type='text'>",
                  f"<label for='{i['password']}'>Password</label><input id='{i['password']}' "
                  f"name='{i['password_name']}' type='password'>"]
        body = ("<form method='post'>" + "".join(fields[k] for k in self.login_order)
                + f"<p><button id='{i['login_btn']}' type='submit'>Sign in</button></p></form>")
        return self._page("Sign in", body)

    def _inbox(self) -> Response:
        if "user" not in session:
            return redirect("/login")
        if self.faults.page("inbox"):
            return self._unavailable()
        with self.engine.connect() as conn:
            rows = conn.execute(select(FILES.c.id, FILES.c.path, FILES.c.size, FILES.c.sha256)
                                .order_by(FILES.c.path)).all()
        cells = []
        for r in rows:
            region = r.path.split("/")[-1].split("_")[0] if r.path.startswith("inbox/") else "-"
            values = {"File": r.path, "Region": region, "Size": f"{r.size:,}", "SHA-256": r.sha256,
                      "Download": f"<a href='/download/{r.id}'>download</a>"}
            cells.append("<tr>" + "".join(f"<td>{values[c]}</td>" for c in self.columns) + "</tr>")
        head = "".join(f"<th>{c}</th>" for c in self.columns)
        body = (f"<p>Signed in as {session['user']}. <a href='/upload'>Upload report</a></p>"
                f"<table id='{self.ids['table']}'><thead><tr>{head}</tr></thead>"
                f"<tbody>{''.join(cells)}</tbody></table>")
        return self._page("Inbox", body)

    def _download(self, file_id: int) -> Response:
        if "user" not in session:
            return Response("sign in first", status=401)
        with self.engine.connect() as conn:
            row = conn.execute(select(FILES).where(FILES.c.id == file_id)).first()
        if row is None:
            return Response("no such file", status=404)
        try:
            data = self.faults.serve(row.path, row.content)
        except TransientError as exc:
            return Response(str(exc), status=423)
        name = row.path.split("/")[-1]
        return Response(data, mimetype="application/octet-stream",
                        headers={"Content-Disposition": f"attachment; filename={name}"})

    def _upload(self) -> Response:
        if "user" not in session:
            return redirect("/login")
        i = self.ids
        if request.method == "POST":
            receipts = []
            with self.engine.begin() as conn:
                for key in (i["report"], i["pdf"]):
                    f = request.files.get(key)
                    if f is None or not f.filename:
                        continue
                    data = f.read()
                    res = conn.execute(insert(UPLOADS).values(
                        filename=f.filename, size=len(data), content=data,
                        sha256=hashlib.sha256(data).hexdigest(), received_at=datetime.now(UTC)))
                    receipts.append(f"R-{res.inserted_primary_key[0]:05d}")
            if not receipts:
                return self._page("Upload", "<p class='error'>No file chosen.</p>", 400)
            return self._page("Upload", f"<p id='{i['receipt']}'>Upload received: "
                                        f"{', '.join(receipts)}</p>")
        body = (f"<form method='post' enctype='multipart/form-data'>"
                f"<label for='{i['report']}'>Report workbook</label>"
                f"<input id='{i['report']}' name='{i['report']}' type='file'>"
                f"<label for='{i['pdf']}'>PDF summary</label>"
                f"<input id='{i['pdf']}' name='{i['pdf']}' type='file'>"
                f"<p><button id='{i['upload_btn']}' type='submit'>Upload</button></p></form>")
        return self._page("Upload", body)

    def start(self) -> str:
        """Serve on 127.0.0.1 at a free port in a background thread; returns the base URL."""
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True,
                                   request_handler=_QuietHandler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self.engine.dispose()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> Portal:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
