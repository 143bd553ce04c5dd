"""Benchmarks: `make bench` runs them and prints one table (see bench/__main__.py)."""
