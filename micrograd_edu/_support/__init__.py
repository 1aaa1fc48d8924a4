"""Support the package shares, private: atomic files, strict JSON, checks of user input."""
