# Two commands do all the set-up on a fresh machine:
#   make demo   -- create/reuse .venv, install the package, run the demo
#   make test   -- create/reuse .venv, install torch==2.13.0 (CPU) and the
#                  test tools, then lint, type-check and run the whole suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
TORCH  := torch==2.13.0

.PHONY: a11y-tools demo pictures student course release site lab playground test quicktest lint docs docs-strict pytest bench size clean git-filter autograder pytest-apply hub-env

# Notebooks run on the kernel installed in .venv, never on one found elsewhere.
export JUPYTER_PREFER_ENV_PATH := 1
# mkdocs-material prints a notice about its successor on every build.
export NO_MKDOCS_2_WARNING := 1
# Pictures are written to files: no display needed. Only for the commands that
# write files -- in JupyterLab (make lab) it would hide every figure.
HEADLESS := MPLBACKEND=Agg
# The suite runs on every core (pytest-xdist; 2 on CI), each test file on one worker so its
# module fixtures (a served site, a class of notebooks) are made once. JOBS=1 runs it serially.
JOBS   ?= auto
XDIST  := $(if $(filter 1,$(JOBS)),,-n $(JOBS) --dist loadfile)

$(PY):
	$(PYTHON) -m venv $(VENV)

# Stamps record what is installed; they are remade when pyproject.toml changes.
$(VENV)/.demo-installed: pyproject.toml | $(PY)
	$(PIP) install -e ".[viz]"
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(PY)
	$(PIP) install "$(TORCH)"
	$(PIP) install -e ".[test,viz,notebooks,lab,live,rl,docs,grade]"
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

$(VENV)/.docs-installed: pyproject.toml | $(PY)
	$(PIP) install -e ".[docs]"
	touch $@

$(VENV)/.lab-installed: pyproject.toml | $(PY)
	$(PIP) install -e ".[viz,notebooks,lab,live,rl]"
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

$(VENV)/.bench-installed: pyproject.toml | $(PY)
	$(PIP) install "$(TORCH)"
	$(PIP) install -e ".[bench,viz,live,rl,notebooks,grade]"
	touch $@

# The main job: the engine on the micrograd README expression, a network trained
# on moons (model, decision boundary, loss curves), then the graph, the
# step-by-step backward pass and a Playground figure, all written to out/.
demo: $(VENV)/.demo-installed
	$(HEADLESS) $(PY) -m micrograd_edu.cli.demo
	$(HEADLESS) $(PY) -m micrograd_edu train --dataset moons --hidden 16,16 --activation relu \
		--loss hinge --epochs 100 --lr 0.1 --seed 0 --out out/
	$(HEADLESS) $(PY) -m micrograd_edu.visualize --out out/
	@echo "Pictures and model are in out/: open out/backward.html in a browser."

# The live Playground as a web page on http://127.0.0.1:8866/ (Voilà; Ctrl-C stops it).
playground: $(VENV)/.lab-installed
	$(PY) -m micrograd_edu.visualize.live

# The README's example pictures (docs/images/), regenerated from code; the
# screenshot of the live Playground needs Chromium (apt-get install chromium).
pictures: $(VENV)/.test-installed
	$(HEADLESS) $(PY) -m micrograd_edu.visualize --readme --out docs/images/
	$(PY) -m micrograd_edu.visualize.live.screenshot docs/images/live_playground.png

lint: $(VENV)/.test-installed docs-strict
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

# The documentation site (mkdocs.yml, pages in docs/, the API reference from the
# docstrings) in build/docs/: open build/docs/index.html. `make test` builds it
# strictly: a broken link or reference fails.
docs: $(VENV)/.docs-installed
	$(PY) -m mkdocs build

docs-strict: $(VENV)/.test-installed
	$(PY) -m mkdocs build --strict

# The course site is built first: tests/course/test_site.py runs it in Chromium;
# so is the hub's environment, which tests/hub/ runs a real JupyterHub from.
pytest: $(VENV)/.test-installed git-filter site a11y-tools hub-env
	$(HEADLESS) $(PY) -m pytest $(XDIST) --durations=30

# The engine's suite again, every op method going through engine.apply alone
# (MICROGRAD_EDU_ENGINE=apply): the methods written out for speed change nothing.
pytest-apply: $(VENV)/.test-installed
	MICROGRAD_EDU_ENGINE=apply $(PY) -m pytest -q tests/engine micrograd_edu/engine.py micrograd_edu/_engine

test: lint pytest pytest-apply

# axe-core, pinned in tools/a11y/package-lock.json, for the browser tests' accessibility
# checks (tests/helpers/a11y.py injects it into pages; nothing is fetched at run time).
AXE := tools/a11y/node_modules/axe-core/axe.min.js
a11y-tools: $(AXE)
$(AXE): tools/a11y/package.json tools/a11y/package-lock.json
	npm ci --prefix tools/a11y --no-audit --no-fund --loglevel=error
	touch $@

# The JupyterHub test's environment (tests/hub/, root on Linux only): a venv made from
# /usr/bin/python3 with JupyterHub and micrograd_edu[course], configurable-http-proxy from
# npm, cached in build/hub/ (or /var/cache/micrograd-edu/hub when other users cannot
# reach this checkout); remade when the extras change, the wheel when the sources do.
hub-env:
	$(PYTHON) tools/hub_env.py

# The quick subset (under a minute): no browser, no notebooks, nothing slow.
quicktest: $(VENV)/.test-installed
	$(HEADLESS) $(PY) -m pytest -q $(XDIST) -m "not browser and not notebooks and not slow"

# The notebooks in git never carry outputs: git stores them through this filter
# (.gitattributes names it), whatever JupyterLab saved on disk.
git-filter:
	@if [ -d .git ]; then \
		git config filter.strip-outputs.clean "python3 notebooks/strip_outputs.py"; fi

# JupyterLab on the student notebooks (working copies in notebooks/student/,
# ignored by git); make lab SOLUTIONS=1 opens the course notebooks with solutions.
lab: $(VENV)/.lab-installed git-filter
	$(PY) notebooks/lab.py $(if $(SOLUTIONS),--solutions)

# The student versions of the notebooks (solutions replaced by stubs), in notebooks/student/.
student: | $(PY)
	$(PY) notebooks/make_student.py --out notebooks/student

# The student notebooks the package ships (micrograd_edu/course/, committed; a test
# checks that they match notebooks/). Run it after editing a course notebook.
course: | $(PY)
	$(PY) notebooks/make_student.py --out micrograd_edu/course

# For teachers: what students get (the notebooks without solutions) in $(RELEASE).
# The solutions stay in notebooks/: never publish that folder.
RELEASE ?= release
release: $(VENV)/.demo-installed
	$(VENV)/bin/micrograd-edu release $(RELEASE)

# The zero-install course site (JupyterLite + Pyodide, no server needed) in build/site/;
# its own build environment is .venv-site. Serve it with any static web server.
SITE_VENV := .venv-site
$(SITE_VENV)/.installed: tools/build_site.py
	$(PYTHON) -m venv $(SITE_VENV)
	$(SITE_VENV)/bin/python -m pip --disable-pip-version-check -q install \
		$$($(PYTHON) tools/build_site.py --print-requirements)
	touch $@

# PYODIDE_DIST=<an unpacked full Pyodide 314.0.6 distribution> puts NumPy and matplotlib
# in the site too (where that release can be downloaded); without it they come from the CDN.
site: $(SITE_VENV)/.installed
	$(SITE_VENV)/bin/python tools/build_site.py --out build/site \
		$(if $(PYODIDE_DIST),--pyodide-dist $(PYODIDE_DIST))

# Benchmarks against micrograd and PyTorch, measured in one run; prints a table of ratios.
bench: $(VENV)/.bench-installed
	$(PY) -m benchmarks

# engine.py's lines, modules over 500 lines, functions over 60 lines (body) or 70 in all (benchmarks/size.py).
size:
	$(PYTHON) -m benchmarks.size

# Gradescope's autograder zip: setup.sh (installs the wheel), run_autograder (grades
# ROOT/submission into ROOT/results/results.json), the wheel. NOTEBOOK=02_backpropagation
# names the assignment's course notebook; WITH_TORCH=1 installs PyTorch (notebook 07). A random
# secret (secret, mode 600) keys the hidden inputs: a new zip, new inputs.
AUTOGRADER_DIR ?= build/autograder
AUTOGRADER_ZIP ?= dist/autograder.zip
autograder: | $(PY)
	rm -rf $(AUTOGRADER_DIR) && mkdir -p $(AUTOGRADER_DIR) $(dir $(AUTOGRADER_ZIP))
	$(PY) tools/project_wheel.py $(AUTOGRADER_DIR) >/dev/null  # from a clean copy: no stale build/lib
	cp autograder/setup.sh autograder/run_autograder $(AUTOGRADER_DIR)/
	$(if $(NOTEBOOK),echo "$(NOTEBOOK)" > $(AUTOGRADER_DIR)/notebook.txt)
	$(if $(WITH_TORCH),touch $(AUTOGRADER_DIR)/with-torch)
	umask 077 && $(PY) -c "import secrets; print(secrets.token_hex(32))" > $(AUTOGRADER_DIR)/secret
	rm -f $(AUTOGRADER_ZIP)
	cd $(AUTOGRADER_DIR) && $(abspath $(PY)) -m zipfile -c $(abspath $(AUTOGRADER_ZIP)) *
	@echo "$(AUTOGRADER_ZIP): upload it as the assignment's autograder on Gradescope."

clean:
	rm -rf $(VENV) $(SITE_VENV) build out *.egg-info .pytest_cache .mypy_cache .ruff_cache
