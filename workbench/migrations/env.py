"""Alembic environment of the gradebook.

At run time :func:`workbench.store.migrate` hands over an open connection
(``config.attributes["connection"]``). From the command line (``alembic -c
workbench/migrations/alembic.ini ...``) the URL comes from ``-x db=URL`` or ``WORKBENCH_DB``.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

config = context.config


def _target_metadata():
    # every table: the classroom's models register on the same Base
    import workbench.classroom.models  # noqa: F401
    from workbench.store import Base

    return Base.metadata


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=_target_metadata(),
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    url = (
        context.get_x_argument(as_dictionary=True).get("db")
        or os.environ.get("WORKBENCH_DB")
        or config.get_main_option("sqlalchemy.url")
    )
    if not url:
        raise SystemExit("give the database: alembic -x db=URL ... (or set WORKBENCH_DB)")
    if "://" not in url:
        url = f"sqlite:///{os.path.abspath(url)}"
    with create_engine(url).connect() as conn:
        run(conn)
        conn.commit()
