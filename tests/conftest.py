"""Fixtures every test folder may use: throwaway PostgreSQL, Redis and Dask servers."""

from services import DaskCluster, Postgres, db_url, postgres, redis_url  # noqa: F401
