"""The engine's speed, private: the fast node builders and the float runtime of ``engine.py``."""
