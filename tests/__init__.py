"""The test suite, by subject: one folder per part of the package."""
