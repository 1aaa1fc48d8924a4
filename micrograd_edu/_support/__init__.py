"""Support the package shares, private: atomic files, strict JSON, checks of user input,
what a command line shows (the command typed, help without reST markup)."""
