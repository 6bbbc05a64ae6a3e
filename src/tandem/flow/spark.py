"""Spark for the flow engine: a local session, or a session on a Spark Connect server.

``engine="spark"`` runs the same Ibis expressions as DuckDB on a Spark session:

- **local** (the default): one ``local[2]`` session per process, started on first use (UI off,
  errors-only logging) and stopped at exit;
- **Spark Connect** (``[spark] remote = "sc://host:15002"`` in ``tandem.toml`` or
  ``TANDEM_SPARK__REMOTE``): a client session on a running Spark Connect server, for lakes that
  outgrow one machine. The server reads the lake's Parquet files at the paths the manifest lists,
  so the workspace must sit on storage the server sees at the same path (a shared mount).

Either way the session's SQL settings that change results are the same (time zone UTC, ANSI off),
and each engine registers one temporary view per lake table over exactly the manifest's files.
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tandem.errors import InputError
from tandem.lake.schema import TABLES

if TYPE_CHECKING:
    from tandem.lake import Lake

#: SQL settings that change results: set on every session, local or remote.
SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
#: Settings of the local session's own JVM (a Connect server has its operator's).
LOCAL_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.default.parallelism": "4",
    "spark.driver.memory": "2g",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}
# Spark's own logging: errors only (its default prints INFO/WARN lines to stderr at start-up).
LOG4J2 = Path(__file__).with_name("spark-log4j2.properties")
_sessions: dict[str | None, Any] = {}
_view_ids = itertools.count()


def session(remote: str | None = None) -> Any:
    """The process's Spark session: local (``remote=None``) or on the Connect server ``remote``.

    Started on first use and stopped at exit. Raises :class:`InputError` when PySpark, Java (local)
    or the Connect client's packages are missing, or the server cannot be reached.
    """
    if remote in _sessions:
        return _sessions[remote]
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise InputError(
            "the Spark engine needs PySpark: install tandem[spark] (pip install 'tandem[spark]')"
        ) from None
    started = _remote(remote) if remote else _local(SparkSession)
    _sessions[remote] = started
    if len(_sessions) == 1:
        atexit.register(stop_all)
    return started


def _local(spark_session: Any) -> Any:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise InputError(
            "the Spark engine needs Java 17 or later (set JAVA_HOME or put java on PATH)"
        )
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = (
        spark_session.builder.master("local[2]")
        .appName("tandem")
        .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{LOG4J2}")
    )
    for key, value in {**LOCAL_CONF, **SESSION_CONF}.items():
        builder = builder.config(key, value)
    try:
        started = builder.getOrCreate()
    except Exception as exc:  # Java missing or unusable: py4j raises a bare RuntimeError
        raise InputError(f"the Spark engine could not start Spark: {exc}") from None
    started.sparkContext.setLogLevel("ERROR")
    return started


def _remote(url: str) -> Any:
    if not url.startswith("sc://"):
        raise InputError(f"spark.remote: {url!r} is not a Spark Connect URL (sc://host:port)")
    try:
        import grpc  # noqa: F401  (the Connect client's transport)
    except ImportError:
        raise InputError(
            "a Spark Connect server needs the Connect client: install tandem[spark] "
            "(pip install 'tandem[spark]')"
        ) from None
    from pyspark.sql.connect.client.retries import DefaultPolicy
    from pyspark.sql.connect.session import SparkSession as ConnectSession

    # Ibis registers in-memory tables with ``verifySchema``, which Connect ignores and says so.
    warnings.filterwarnings("ignore", "'verifySchema' is ignored", UserWarning)

    try:
        # The Connect builder itself: the classic one would mark the whole process as Connect
        # mode (SPARK_CONNECT_MODE_ENABLED), and a local session could no longer start in it.
        started = ConnectSession.builder.remote(url).create()  # no round trip yet
        # The client's default retries wait up to 10 minutes for an unreachable server; a
        # command line should say so within seconds (about 5 s: 5 tries, backoff ≤ 2 s).
        started._client.set_retry_policies([DefaultPolicy(max_retries=5, max_backoff=2000)])
        for key, value in SESSION_CONF.items():
            started.conf.set(key, value)
    except Exception as exc:  # unreachable server, refused session: gRPC errors of many kinds
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(
            f"spark.remote: could not use the Spark Connect server {url}: {first_line}"
        ) from None
    return started


def is_remote(started: Any) -> bool:
    """Whether ``started`` is a Spark Connect client session (not an in-process one)."""
    return any(started is value for key, value in _sessions.items() if key is not None)


def stop_all() -> None:
    """Stop every session this process started (a Connect server keeps running)."""
    while _sessions:
        _, started = _sessions.popitem()
        started.stop()


def lake_views(started: Any, lake: Lake) -> dict[str, str]:
    """One temporary view per lake table over the manifest's files; empty tables get their schema.

    Returns the lake table name → view name (unique per engine, so two lakes never collide).
    """
    from pyspark.sql.pandas.types import from_arrow_schema

    manifest = lake.manifest()
    prefix = f"tandem_{next(_view_ids)}"
    views: dict[str, str] = {}
    for name, spec in TABLES.items():
        files = [str(lake.root / entry["file"]) for entry in manifest.tables.get(name, [])]
        if files:
            frame = started.read.parquet(*files)
        else:
            frame = started.createDataFrame([], schema=from_arrow_schema(spec.schema))
        view = f"{prefix}_{name}"
        frame.createOrReplaceTempView(view)
        views[name] = view
    return views
