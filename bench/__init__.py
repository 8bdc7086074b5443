"""Benchmarks of the generated project: ``python bench/run.py`` (see bench/README.md)."""
