"""The tape: capture a graph once, replay it on floats and NumPy batches."""
