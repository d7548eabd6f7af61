"""Unit tests: pure code, no I/O."""
