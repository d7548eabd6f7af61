"""Integration tests: a real PostgreSQL, real HTTP through Litestar's test client."""
