# The two commands: `make demo` and `make test`. Every install step lives here and in pyproject.toml.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	rm -f out/demo.db out/demo.db-wal out/demo.db-shm
	mkdir -p out
	$(BIN)/khabar read examples/seeds
	$(BIN)/khabar add examples/seeds examples/saudinewsnet --db out/demo.db
	$(BIN)/khabar stories --db out/demo.db --min-size 2 | head -20
	$(BIN)/khabar stories --db out/demo.db --min-size 2 --html out/stories
	@echo
	@echo "Story pages: out/stories/index.html (the seed story is among them); store: out/demo.db"
	@echo "Try: $(BIN)/khabar story ID --db out/demo.db   or   --format markdown|json|html"

test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -m slow

lint: $(STAMP)
	$(BIN)/ruff check khabar tests bench

clean:
	rm -rf $(VENV) build *.egg-info
