"""The policy profiles (TOML data), shipped in the wheel as the package ``pqscan.profiles``.

This folder is the one copy: ``pyproject.toml`` maps the package ``pqscan.profiles`` here
(``[tool.setuptools.package-dir]``), so ``importlib.resources.files("pqscan.profiles")`` finds the
files in a source checkout, an editable install and an installed wheel alike.
"""
