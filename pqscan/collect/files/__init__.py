"""Certificates, keys and keystores on disk: PEM, DER, PKCS#7, PKCS#12, JKS/JCEKS, OpenSSH, JWK."""

from __future__ import annotations

from pqscan.collect.files.collector import CertsCollector, FilesOptions, FilesScan, scan_file, scan_files

__all__ = ["CertsCollector", "FilesOptions", "FilesScan", "scan_file", "scan_files"]
