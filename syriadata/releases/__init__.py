"""Releases: reproducible archives, past versions (registry, cache, downloads), data diffs,
exports and citations. Depends on the contract, never on the loaders."""
