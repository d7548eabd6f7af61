"""The event store: appends with group commit, appends in doubt settled, loads, and the hash chain."""
