"""Projections: read models built by following the event log (between domain and service).

- `picture/`, `audit/`: one folder per read model: its tables (DDL), how an event changes its
  rows (pure functions, tested without a database), its batch apply step, and its queries.
- the root: the machinery every read model shares, kept flat beside them because the service
  imports most of it by name: `runner` (follows the log, one transaction per batch) with
  `checkpoint` (a batch's transaction, a failure's record), `log_reader`, `collector`;
  `generations` (a schema per generation behind views), `rebuild`, `registry` (the read models
  by name, the one list of them), `tenancy` (row-level security for readers), `connections`
  (the errors that say the database is away, connections that cannot hang), `keyset` (paging).
"""
