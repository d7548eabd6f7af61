"""Integration tests of the HTTP API: real PostgreSQL, real HTTP through Litestar's test client."""
