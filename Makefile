# graphbuild — common tasks.  `make test` is what CI runs.
PYTHON ?= python3
PIP ?= $(PYTHON) -m pip

.PHONY: install install-test native test test-py test-c bench lint clean

# Install graphbuild (builds the C executor through cffi).
install:
	$(PIP) install .

# Install with the test extras (pytest, hypothesis, networkx, scipy, numpy).
install-test:
	$(PIP) install ".[test]"

# Build the C extension in place, for working in the source tree.
native:
	$(PYTHON) setup.py -q build_ext --inplace

# Everything CI checks: the Python suite against the installed package, then the C tests
# under AddressSanitizer and UndefinedBehaviorSanitizer.
test: install-test test-py test-c

test-py:
	$(PYTHON) -P -m pytest -q

include tests/c/Makefile.inc

# Static checks.
lint:
	$(PYTHON) -m ruff check graphbuild tests

# Remove build products and caches.
clean:
	rm -rf build dist *.egg-info graphbuild/_native*.so graphbuild/_native.c graphbuild/_native.o \
	       .pytest_cache tests/c/build
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
