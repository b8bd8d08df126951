# Anxin (安心) — the two commands a newcomer needs: `make run` and `make test`.
# Each bootstraps what it needs and is quick when nothing changed.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
BIN       := $(VENV)/bin
STAMP     := $(VENV)/.installed
MODEL     := models/anxin.tar.gz
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

# Rasa 3.6 needs Python 3.10 exactly.  Look for one that really runs (a pyenv
# shim that is not selected refuses to): $ANXIN_PYTHON, python3.10 on PATH,
# pyenv's versions, the system's.
PYTHON310 := $(shell for p in "$$ANXIN_PYTHON" python3.10 \
	$$(ls -d "$$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -rV) \
	/usr/bin/python3.10 /usr/local/bin/python3.10; do \
	[ -n "$$p" ] && "$$p" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1 \
	&& { command -v "$$p"; break; }; done)

# What training depends on: when none of it changed, nothing is retrained.
TRAIN_INPUTS := config.yml $(shell find bot/domain bot/data nlu/data nlu/jieba nlu/components nlu/dialect -type f 2>/dev/null)

# The system packages, in one list (scripts/prereqs.sh): checked first, in
# seconds, by the goals that need them; installed by `make deps`.
PREREQS := scripts/prereqs.sh

REPLICAS ?= 2
PG      ?= postgresql://postgres@127.0.0.1:5432
REDIS   ?= redis://127.0.0.1:6379/0

.PHONY: help deps install run run-prod test stories lint validate train eval bench db clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

deps: ## install the system packages (apt-get; sudo unless root)
	@$(PREREQS) install test

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON310)" ]; then \
	  echo "Anxin needs Python 3.10 (Rasa 3.6 runs on no other)."; \
	  echo "Install one of:  pyenv install 3.10.13   |   apt-get install python3.10 python3.10-venv   |   uv python install 3.10"; \
	  echo "or point ANXIN_PYTHON at a python3.10 binary."; exit 1; fi
	@echo "… creating $(VENV) with $(PYTHON310) and installing the server (one resolve from pyproject.toml)"
	@[ -x $(BIN)/python ] || $(PYTHON310) -m venv $(VENV)
	@$(BIN)/python -m pip install -qq --upgrade "pip>=24"
	@$(BIN)/python -m pip install -qq -e ".[server,dev]"
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check; echo "The environment is inconsistent: run make clean, then make install."; exit 1; }
	@touch $@
	@echo "✓ $(VENV) ready"

install: $(STAMP) ## create .venv and install (only when pyproject.toml changed)

$(MODEL): $(TRAIN_INPUTS) | $(STAMP)
	@echo "… training the Rasa model (Rasa's fingerprint reuses what did not change)"
	@$(BIN)/rasa train --config config.yml --domain bot/domain --data nlu/data bot/data \
	  --out models --fixed-model-name anxin --quiet
	@touch $@
	@echo "✓ model: $(MODEL)"

train: $(MODEL) ## train the model when training data or config changed

db: $(STAMP) ## migrate the database and seed the demo community
	@$(BIN)/anxin db upgrade >/dev/null && $(BIN)/anxin seed-demo

run: ## the whole product: action server, Rasa, terminal chat as demo-elder
	@$(PREREQS) check run
	@$(MAKE) --no-print-directory $(MODEL)
	@$(BIN)/anxin run

run-prod: ## production mode here: PostgreSQL, Redis, $(REPLICAS) replicas behind nginx
	@$(PREREQS) check run-prod
	@$(MAKE) --no-print-directory $(MODEL)
	@ANXIN_DATABASE_URL=$${ANXIN_DATABASE_URL:-$(PG)/anxin} ANXIN_TRACKER_URL=$${ANXIN_TRACKER_URL:-$(PG)/anxin_tracker} \
	  ANXIN_REDIS_URL=$${ANXIN_REDIS_URL:-$(REDIS)} $(BIN)/anxin run --replicas $(REPLICAS)

lint: $(STAMP) ## ruff
	@$(BIN)/ruff check .

validate: $(STAMP) ## rasa data validate (warnings count as failures)
	@$(BIN)/rasa data validate --config config.yml --domain bot/domain --data nlu/data bot/data --fail-on-warnings --quiet

test: ## system packages, lint, validate, the whole test suite, then the test stories
	@$(PREREQS) check test
	@$(MAKE) --no-print-directory $(MODEL) lint validate
	@$(BIN)/python -m pytest $(PYTEST_ARGS)
	@$(MAKE) --no-print-directory stories

stories: $(MODEL) ## rasa test core on tests/stories, failing on any wrong prediction
	@mkdir -p var
	@$(BIN)/rasa test core --model $(MODEL) --stories tests/stories --fail-on-prediction-errors \
	  --out var/test-results --quiet >/dev/null 2>var/test-stories.log \
	  || { tail -40 var/test-stories.log; cat var/test-results/failed_test_stories.yml 2>/dev/null; exit 1; }
	@echo "✓ test stories: no prediction errors"

eval: $(MODEL) ## NLU and knowledge evaluations into bench/results/
	@$(BIN)/python -m nlu.evaluate --model $(MODEL) --out bench/results
	@$(BIN)/python -m nlu.emergency.evaluate --model $(MODEL) --out bench/results
	@$(BIN)/python -m nlu.intents_heldout --model $(MODEL) --out bench/results
	@$(BIN)/python -m bench.dialogues --out bench/results
	@$(BIN)/python -m bench.dialogues --file nlu/heldout/dialogues_fresh.yml --out bench/results
	@$(BIN)/python -m knowledge.evaluate --out bench/results/knowledge.md

bench: $(MODEL) ## Anxin vs a bare-Rasa baseline (needs PostgreSQL, Redis, nginx), voice; into bench/results/
	@$(BIN)/python -m bench.bench $(BENCH_ARGS)
	@if [ -f bench/voice.py ]; then $(BIN)/python -m bench.voice; fi
	@$(BIN)/python -m bench.priority
	@$(BIN)/python -m bench.long_messages
	@rm -f bench/results/reliability.txt; for run in 1 2 3; do \
	  ANXIN_RELIABILITY_MESSAGES=10000 ANXIN_RELIABILITY_IDLE_RASA=1 \
	  ANXIN_RELIABILITY_RECORD=bench/results/reliability.txt $(BIN)/python -m pytest -q -s \
	  tests/bot/test_replicas.py -k none_lost_or_doubled || exit 1; done

clean: ## remove the venv, models and run-time state
	rm -rf $(VENV) models .rasa var .pytest_cache .ruff_cache
