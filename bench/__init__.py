"""Benchmarks: scripts that print their figures and record them in bench/RESULTS.md."""
