"""The notebooks' checks: each exercise's corpus of answers and the verdicts they get."""
