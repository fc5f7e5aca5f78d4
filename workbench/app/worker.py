"""Entry point of the Celery workers that run background jobs when the app is served from
several processes: ``celery -A workbench.app.worker worker``.

Start them with the same settings as ``workbench serve``: ``WORKBENCH_JOBS=redis://...``,
``WORKBENCH_COURSE`` and ``WORKBENCH_DB``. Importing this module builds the app, which
registers every background callback as a Celery task under the name the serving processes use.

The job limits are the serving processes' (``WORKBENCH_JOB_LIMITS``): they admit each job
and take its place in Redis, with their limit of jobs running at once; a job waits in its
worker until it may run and gives its place back when it ends (a task Celery marks failed
because its worker process died gives it back too). Tested with a real worker and Redis in
``tests/classroom/test_celery_jobs.py``.
"""

from __future__ import annotations

from workbench.app import create_app
from workbench.app.callbacks import background_manager, jobs_setting

if not jobs_setting().startswith(("redis://", "rediss://", "unix://")):
    raise SystemExit(
        "set WORKBENCH_JOBS=redis://HOST:PORT/DB (the URL given to `workbench "
        "serve --jobs`) before starting Celery workers"
    )

dash_app = create_app()
app = background_manager().handle  # the Celery app: `celery -A` looks for `app` first
