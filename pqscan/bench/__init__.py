"""PQC vs classical benchmarks on this machine (``pqscan bench``).

Library entry points: :func:`pqscan.bench.session.run_bench` (plan + run; ``.to_dict()`` is the
JSON document with ``migration_costs``), :func:`pqscan.bench.session.plan` (what is available and
why not), :class:`pqscan.bench.runner.Settings`. liboqs is only ever imported through
:func:`pqscan.bench.oqs_detect.load_oqs`.
"""
