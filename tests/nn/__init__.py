"""Networks and training: nn, losses, optim, datasets, fit, model files."""
