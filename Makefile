# Two commands do all the set-up on a fresh machine:
#   make demo   -- create/reuse .venv, install the package, run the demo
#   make test   -- create/reuse .venv, install torch==2.13.0 (CPU) and the
#                  test tools, then lint, type-check and run the whole suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
TORCH  := torch==2.13.0

.PHONY: demo test lint pytest bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# Stamps record what is installed; they are remade when pyproject.toml changes.
$(VENV)/.demo-installed: pyproject.toml | $(PY)
	$(PIP) install -e ".[viz]"
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(PY)
	$(PIP) install "$(TORCH)"
	$(PIP) install -e ".[test,viz,notebooks]"
	touch $@

$(VENV)/.bench-installed: pyproject.toml | $(PY)
	$(PIP) install "$(TORCH)"
	$(PIP) install -e ".[bench]"
	touch $@

demo: $(VENV)/.demo-installed
	$(PY) -m micrograd_edu.demo

lint: $(VENV)/.test-installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

pytest: $(VENV)/.test-installed
	$(PY) -m pytest

test: lint pytest

# Benchmarks against micrograd and PyTorch, measured in one run; prints a table of ratios.
bench: $(VENV)/.bench-installed
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
