"""The service: HTTP API, event store, settings and command line (outermost layer)."""
