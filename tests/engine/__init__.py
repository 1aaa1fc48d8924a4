"""The engine: every op against PyTorch and central differences, backward, errors, micrograd API."""
