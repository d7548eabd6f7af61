"""The test suite: unit (pure domain), integration (real PostgreSQL, real HTTP)."""
