# The two commands of the README: `make book` and `make test`.
# Each creates .venv if missing and installs the pinned requirements first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-requirements

# The read-only local mirror of the real data (../shared/data on the book's development and
# CI machines, which have no internet). A reader's machine has none and downloads instead.
SHARED_DATA := $(abspath ../shared/data)
ifeq ($(origin IMBALANCED_BOOK_MIRROR),undefined)
ifneq ($(wildcard $(SHARED_DATA)/creditcard.csv.gz $(SHARED_DATA)/creditcard.csv),)
export IMBALANCED_BOOK_MIRROR := $(SHARED_DATA)
endif
endif

.PHONY: help venv book test test-fast execute rerun benchmark lint student grade freeze clean

help:
	@echo "make book       build the HTML book into _build/html (strict: warnings are errors)"
	@echo "make test       run the whole test suite (helpers, loaders, notebooks, nbval, strict build)"
	@echo "make execute    regenerate every chapter .ipynb from its .md and execute it (CHAPTER=name for one)"
	@echo "make rerun      CHAPTER=name [SEED=7]: execute a copy with other seeds, check its assertions"
	@echo "make benchmark  measure chapter run times, memory, build and test times; print a table"
	@echo "make student    write student notebooks with the solutions removed into _build/student"
	@echo "make grade      SUBMISSIONS=folder: grade submitted notebooks into _build/grades (CSV + summary)"
	@echo "make lint       ruff over helpers, tests, tools and the chapter sources"
	@echo "make editions   write the Colab edition of every chapter into editions/colab (seconds)"
	@echo "make publish    rewrite the chapters' Colab set-up cells, then make editions"
	@echo "make publish-check  the repository URL and ref in _config.yml resolve and serve helpers/"

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@# make `import helpers` work from any folder (chapters/, nbval kernels) inside .venv
	$(PY) -c "import pathlib, sysconfig; pathlib.Path(sysconfig.get_paths()['purelib'], 'imbalanced_book.pth').write_text(str(pathlib.Path.cwd()) + '\\n')"
	@touch $(STAMP)

venv: $(STAMP)

book: $(STAMP)
	@$(PY) tools/publish.py note
	$(PY) tools/build_book.py

test: $(STAMP)
	$(PY) -m pytest

test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow" tests

execute: $(STAMP)
	$(PY) tools/execute.py $(CHAPTER)

rerun: $(STAMP)
	$(PY) tools/rerun.py $(CHAPTER) --seed $(or $(SEED),7)

benchmark: $(STAMP)
	$(PY) tools/benchmark.py

student: $(STAMP)
	$(PY) tools/strip_solutions.py --out _build/student chapters/*.ipynb

grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=folder [GRADES=_build/grades] (one sub-folder per student)"; exit 2; }
	$(PY) tools/grade.py "$(SUBMISSIONS)" --out $(or $(GRADES),_build/grades)

# Colab: editions/colab from the executed chapters; set-up cells from _config.yml + helpers/
editions: $(STAMP)
	$(PY) tools/editions.py

setup-cells: $(STAMP)
	$(PY) tools/publish.py setup-cells

publish: $(STAMP)
	$(PY) tools/publish.py all

publish-check: $(STAMP)
	$(PY) tools/publish.py check

colab-constraints: $(STAMP)
	$(PY) tools/publish.py constraints

lint: $(STAMP)
	$(VENV)/bin/ruff check helpers tests tools

freeze: $(STAMP)
	$(PY) -m pip freeze --exclude pip > requirements.txt

clean:
	rm -rf _build
