# The course's commands. `make course` and `make test` are all a new user needs.
#   make course     install, prepare the offline assets, run every notebook: your run in my-report/, beside the reference
#   make test       install, prepare the assets, run the unit tests, then every notebook with its exercises solved
#                   through pytest --nbmake, at the test scale (smaller sizes; SCALE=full make test at the defaults),
#                   then the browser app (notebook 16's model) in Chromium and Node
#   make unit       the unit tests only: no assets, no notebooks (under a minute)
#   make test-hub   the hub rehearsal: every notebook in COURSE_MODE=hub against a local Hub stand-in
#   make lab        JupyterLab on the course's notebooks, quiet offline (LAB_PORT=8890 for a port, LAB_ARGS for jupyter lab)
#   make kernel     register the course's kernels for your user too, so any Jupyter and VS Code list them
#   make solutions  executed copies of the notebooks with the exercises solved, in build/solutions/ (for teachers)
#   make report     maintainers: refresh the tracked report/ (the reference run) from a full run
#                   (ONLY=12 adds a new notebook that the reference run has no records of yet)
#   make assets     prepare (or verify and reuse) the offline assets
#   make web        the browser app apps/sentiment_web/ ready to serve: its npm packages and the model folder
#   make clean      remove build outputs; `make distclean` also removes .venv, the asset cache and my-report/

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.course-installed
# JupyterLab's settings overrides, server config and the course's kernels, installed into .venv
LAB_SETUP := $(VENV)/.course-lab
LAB_PORT ?=
LAB_ARGS ?=
TIMINGS := build/timings.log
# make test writes records, figures and reports here, never into the tracked report/ nor my-report/
TEST_REPORT_DIR := build/test-report
# make test runs the notebooks at the test scale (course_build/sizes.py TEST_SIZES); SCALE=full at their defaults
SCALE ?= test
# pip installs torch (the pinned CPU build, from this machine's wheel where there is one) and uv;
# uv installs the rest of requirements.txt, downloading in parallel (about 3x faster than pip here), and
# compiles the bytecode up front: where PYTHONDONTWRITEBYTECODE is set, nothing would cache it later
TORCH := $(shell grep -E '^torch==' requirements.txt)
# the tests in two pytest-xdist workers, a test file to a worker, one torch thread each (2 cores)
PYTEST := OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python -m pytest -q -n 2 --dist loadfile
UV_VERSION := 0.13.8

.PHONY: help install assets web course test test-hub unit lab kernel solutions report lint clean distclean

help:
	@sed -n 's/^#   //p' $(MAKEFILE_LIST)

# Run a step, print its duration and append it to the timings log: $(call timed,name,command)
define timed
	@mkdir -p build; start=$$(date +%s); $(2); status=$$?; \
	echo "[make] $(1): $$(( $$(date +%s) - start )) s" | tee -a $(TIMINGS); exit $$status
endef

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "The course needs Python 3.11: install it, or run make PYTHON=/path/to/python3.11.")'
	$(call timed,install,$(PYTHON) -m venv $(VENV) && \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check $(TORCH) uv==$(UV_VERSION) && \
		$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.txt && \
		$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e . && \
		touch $(STAMP))

# Quick and idempotent: reruns when lab/ or course_build/lab.py changes, without reinstalling packages
$(LAB_SETUP): $(STAMP) lab/overrides.json lab/jupyter_server_config.json course_build/lab.py
	@$(BIN)/python -m course_build.lab install && touch $@

install: $(STAMP) $(LAB_SETUP)

assets: install
	$(call timed,assets,$(BIN)/python -m course_build.assets prepare)

# The browser app's npm packages (apps/sentiment_web/, notebook 16), installed again when package-lock.json
# changes; ONNXRUNTIME_NODE_INSTALL=skip: onnxruntime-node's install script would download GPU libraries
# from a host this course never reaches (its CPU binaries ship in the package)
WEB_APP := apps/sentiment_web
WEB_PACKAGES := $(WEB_APP)/node_modules/.package-lock.json
$(WEB_PACKAGES): $(WEB_APP)/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 20 (with npm) for notebook 16, the model in the browser."; exit 1; }
	$(call timed,npm packages,cd $(WEB_APP) && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error)

# The app ready to serve without running notebook 16: its packages and the model folder built from the asset
web: assets $(WEB_PACKAGES)
	$(call timed,web model,$(BIN)/python -m course_build.web_model)

course:
	@mkdir -p build; rm -f $(TIMINGS)
	@$(MAKE) --no-print-directory assets $(WEB_PACKAGES)
	$(call timed,notebooks,$(BIN)/python -m course_build.runner)
	@echo "== make course: time per step =="; cat $(TIMINGS)

unit: install
	$(PYTEST) -m "not assets"

test:
	@mkdir -p build; rm -f $(TIMINGS)
	@$(MAKE) --no-print-directory assets $(WEB_PACKAGES)
	$(call timed,unit and asset tests,COURSE_REPORT_DIR=$(TEST_REPORT_DIR) $(PYTEST) -m "not web")
	$(call timed,notebooks with solutions (pytest --nbmake) at the $(SCALE) scale,COURSE_REPORT_DIR=$(TEST_REPORT_DIR) $(BIN)/python -m course_build.runner --solutions --scale $(SCALE))
	$(call timed,browser and Node tests (on the model folder notebook 16 built),COURSE_REPORT_DIR=$(TEST_REPORT_DIR) OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q -m web)
	@echo "== make test: time per step =="; cat $(TIMINGS); \
		awk -F': ' '/^\[make\] [a-z]/ {gsub(/ s$$/, "", $$2); total += $$2} END {printf "[make] total: %d s (%.1f min)\n", total, total / 60}' $(TIMINGS)

test-hub:
	@$(MAKE) --no-print-directory assets $(WEB_PACKAGES)
	$(call timed,hub rehearsal,$(BIN)/python -m course_build.hub_rehearsal)

solutions:
	@$(MAKE) --no-print-directory assets $(WEB_PACKAGES)
	COURSE_REPORT_DIR=build/solutions-report $(BIN)/python -m course_build.runner --solutions --out build/solutions
	@echo "executed notebooks with the exercises solved: build/solutions/"

report:
	@mkdir -p build; rm -f $(TIMINGS)
	@$(MAKE) --no-print-directory assets $(WEB_PACKAGES)
	$(call timed,reference run,$(BIN)/python -m course_build.runner --reference $(ONLY))

lab: assets $(WEB_PACKAGES)
	@$(BIN)/python -m course_build.lab $(if $(LAB_PORT),--port $(LAB_PORT)) $(LAB_ARGS)

kernel: install
	$(BIN)/python -m course_build.lab install --user

lint: install
	$(BIN)/ruff check utils course_build exercises tests notebooks scripts apps evaluate_modules conftest.py

clean:
	rm -rf build .pytest_cache .ruff_cache
	find . -name __pycache__ -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) .assets *.egg-info my-report $(WEB_APP)/node_modules $(WEB_APP)/model
