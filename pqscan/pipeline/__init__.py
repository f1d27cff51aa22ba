"""Front doors: scan a set of targets, the CI gate, diffs between inventories."""
