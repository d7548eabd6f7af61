"""Projections: read models built by following the event log (between domain and service)."""
