"""Scans on a Dask cluster: ``--cluster tcp://scheduler:8786`` or ``--cluster local:N``.

The cluster is a scheduler for the same library scans pqscan runs locally: targets are cut into
batches (:mod:`.batching`), each batch runs on a worker (:mod:`.tasks`), results come back as
batches finish to the caller's callback (:mod:`.runner`). ``--segment NAME`` sends the batches only
to workers started with ``--resources segment-NAME=1``. Needs the ``cluster`` extra (distributed),
imported only when a cluster is used.
"""

from pqscan.cluster.connection import ClusterAddress, ClusterError, parse_address
from pqscan.cluster.scans import Cluster
from pqscan.cluster.tasks import SEGMENT_ATTRIBUTE, WORKER_ATTRIBUTE

__all__ = ["SEGMENT_ATTRIBUTE", "WORKER_ATTRIBUTE", "Cluster", "ClusterAddress", "ClusterError", "parse_address"]
