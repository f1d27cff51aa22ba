"""Dependency scanning: manifests and lock files -> dependency assets, crypto libraries -> capability findings.

Entry point :func:`scan_paths`. Nothing found here is imported, built or executed.
"""

from pqscan.collect.deps.libraries import LibraryCapabilities, capabilities, find_library
from pqscan.collect.deps.manifest import Dependency, ManifestError
from pqscan.collect.deps.scanner import COLLECTOR, DepsOptions, parser_for, scan_paths

__all__ = ["COLLECTOR", "Dependency", "DepsOptions", "LibraryCapabilities", "ManifestError", "capabilities",
           "find_library", "parser_for", "scan_paths"]
