"""Reinforcement learning: policies, returns, REINFORCE, environments."""
