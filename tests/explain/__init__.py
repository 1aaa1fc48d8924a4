"""Explaining every number: gradient paths, formulas, gradcheck, training health."""
