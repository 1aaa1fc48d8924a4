"""Benchmarks of micrograd_edu against micrograd and PyTorch: ``python -m benchmarks``."""
