"""``--cluster ADDRESS`` and ``--segment NAME`` for the scanning commands, in one place.

A command adds :func:`cluster_options` and wraps the library scan it already calls::

    results = on_cluster(ctx, run_scan, "network")(endpoints, probe, options, ...)

Without ``--cluster`` the local function comes back unchanged; with it, the same call runs on the
Dask cluster (:class:`pqscan.cluster.Cluster`) and hands results to the same callback. Path scans
take the cluster itself (:func:`cluster_of`): ``PathScan(..., cluster=...)`` sends its per-file jobs
to the workers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
_KEY = "pqscan.cluster"
ScanKind = Literal["network"]


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    ctx.meta.setdefault(_KEY, {})[param.name] = value
    return value


def cluster_options() -> Callable[[F], F]:
    """The two options (not passed to the command function: read back with :func:`on_cluster`)."""

    def decorate(f: F) -> F:
        f = click.option("--segment", default=None, metavar="NAME", expose_value=False, callback=_remember,
                         help="Only Dask workers started with --resources segment-NAME=1 scan these targets.")(f)
        return click.option("--cluster", default=None, metavar="ADDRESS", expose_value=False, callback=_remember,
                            help="Scan on Dask: tcp://SCHEDULER:8786, or local:N worker processes here.")(f)

    return decorate


def cluster_of(ctx: click.Context) -> Any:
    """The command's :class:`~pqscan.cluster.Cluster` (opened once, closed with the command), or None."""
    settings = ctx.meta.get(_KEY) or {}
    if settings.get("cluster") is None:
        if settings.get("segment") is not None:
            from pqscan.errors import UsageError

            raise UsageError("--segment needs --cluster (the Dask scheduler whose workers have the segment)")
        return None
    if "instance" not in settings:
        import os

        # Dask logs its start-up, reconnect attempts and lost workers on stderr (here and in the
        # LocalCluster's processes); read when distributed is first imported. pqscan says one line.
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "critical")
        from pqscan.cluster import Cluster

        _quiet_dask_loggers()

        cluster = Cluster.parse(settings["cluster"], settings.get("segment"))
        ctx.call_on_close(cluster.close)
        settings["instance"] = cluster
    return settings["instance"]


def on_cluster(ctx: click.Context, local: F, kind: ScanKind) -> F:
    """``local`` itself, or its cluster twin with the same signature when ``--cluster`` was given."""
    cluster = cluster_of(ctx)
    if cluster is None:
        return local
    twin = {"network": cluster.run_scan}[kind]
    return twin  # type: ignore[return-value]


def _quiet_dask_loggers() -> None:
    """Dask's loggers with a level of their own (distributed.client logs a traceback when the
    scheduler goes away) follow the CRITICAL level too, here in the client."""
    import logging

    try:
        import distributed  # noqa: F401 - its import configures its loggers; override them after
    except ImportError:
        return  # Cluster.connect says how to install it
    for name in list(logging.root.manager.loggerDict):
        if name == "distributed" or name.startswith("distributed."):
            logging.getLogger(name).setLevel(logging.CRITICAL)
