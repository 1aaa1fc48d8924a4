"""The package as shipped: the wheel, the docs and their examples, sizes."""
