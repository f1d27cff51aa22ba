"""The estate over time: a store of scans (SQLite by default, PostgreSQL for teams).

    from pqscan.store import open_store
    with open_store("sqlite:///estate.db") as store:
        scan = store.begin_scan(["./repo"])
        store.record(scan.id, results)
        store.finish(scan.id, summary)
        for s in store.list_scans(): ...
"""

from pqscan.store.store import (
    STORE_ENV,
    OpenScan,
    ScanRecord,
    ScanStatus,
    Store,
    StoreBusyError,
    StoreError,
    open_store,
    opened,
    resolve_url,
)

__all__ = ["STORE_ENV", "OpenScan", "ScanRecord", "ScanStatus", "Store", "StoreBusyError", "StoreError",
           "open_store", "opened", "resolve_url"]
