# evalkit — two commands: `make report YEAR=2026` and `make test`. `make` alone lists the user targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
YEAR ?= 2026
AS_OF ?=
JOBS ?=
PORT ?= 8000
# Committed executed reports that nbval re-executes; their regenerated outputs go here.
REPORT_NOTEBOOKS := $(wildcard reports/*/*.ipynb)
NBVAL_OUT := build/nbval/reports

# Single-quote a make variable for the shell (embedded ' becomes '\''), so a
# value such as YEAR="2026; rm -rf ." reaches Python as one literal argument.
shquote = '$(subst ','\'',$(1))'
# Command-line variables are exported to recipes, and exporting expands them: a
# value like YEAR='$(shell …)' would run in make itself. Not exported, and read
# with $(value …), such a value stays text and reaches Python to be refused.
unexport YEAR AS_OF JOBS BENCH_COMPARE

.PHONY: help report render test lint format serve clean templates validate demo lock bench

# Only targets named like commands (letters, digits, - and _) are listed: file targets
# such as .venv/.installed are built on the way, never typed.
help: ## 列出用户目标 / list the user targets with their descriptions
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# Creates/updates the venv (rebuilt when pyproject.toml or the lock changes); pip's own
# "Collecting …/Installing …" lines show the progress of the first, slow install.
.venv/.installed: pyproject.toml requirements.lock
	@echo "== 安装依赖到 $(VENV)/（首次约 5–10 分钟）/ installing dependencies into $(VENV)/ (first time: 5–10 min) =="
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -c requirements.lock -e ".[test]"
	touch $@
	@echo "== 依赖已安装 / dependencies installed =="

data/raw/demo/dataset.yaml: | .venv/.installed
	$(PY) -m evalkit demo

# Curated tables are not committed: (re)built from the raw demo dataset when missing.
data/curated/_meta.json: | .venv/.installed data/raw/demo/dataset.yaml
	$(PY) -m evalkit validate --dataset data/raw/demo

# Byte-compiles src/ (only what changed; well under a second): every process, each notebook
# kernel included, then loads evalkit's modules from bytecode even where
# PYTHONDONTWRITEBYTECODE is set (as in many containers), instead of compiling them anew.
# Only a speed-up: where src/ cannot be written, the recipes go on without it.
BYTECODE = $(PY) -m compileall -q src 2>/dev/null || true

report: .venv/.installed data/raw/demo/dataset.yaml ## 生成年度报告与网站 / execute the year's notebooks and render _site (YEAR=2026 [AS_OF=YYYY-MM-DD] [JOBS=n])
	@$(BYTECODE)
	$(PY) -m evalkit report --year $(call shquote,$(value YEAR))$(if $(value AS_OF), --as-of $(call shquote,$(value AS_OF)))$(if $(value JOBS), --jobs $(call shquote,$(value JOBS)))

render: .venv/.installed ## 仅重新渲染网站 / re-render _site from the published reports
	$(PY) -m evalkit render

# nbval kernels get the same PYTHONHASHSEED as the pipeline's kernels, so any
# set/dict-of-str iteration order in a notebook is the same at report and test time.
# pytest-xdist runs whole files on TEST_WORKERS processes (--dist loadfile: a notebook's
# nbval cells and a file's module fixtures stay on one worker, in order). One session:
# nbval re-executes the committed reports, each notebook in its own kernel forked as the
# pipeline forks them (tests/nbval_fork.py; EVALKIT_FORK_KERNELS=0: nbval's own launch),
# beside the suite; the backtest runs last and compares what nbval wrote (it waits for
# nbval's "done" markers); --no-loadscope-reorder keeps the order of tests/conftest.py
# (the longest files, the notebooks, the rest); the ten slowest tests are listed at the end.
# TEST_WORKERS=0: one process.
TEST_WORKERS ?= 2
test: .venv/.installed data/curated/_meta.json lint ## 运行全部测试 / ruff + pytest + nbval re-execution of the committed reports + browser test
	rm -rf $(NBVAL_OUT)
	@$(BYTECODE)
	PYTHONHASHSEED=0 EVALKIT_REPORTS_DIR=$(CURDIR)/$(NBVAL_OUT) $(VENV)/bin/pytest \
	  -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder -p no:cacheprovider \
	  -p nbval_fork --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
	  --durations=10 $(REPORT_NOTEBOOKS) tests

lint: .venv/.installed ## 代码检查 / ruff check and format check
	$(VENV)/bin/ruff check src tests bench notebooks
	$(VENV)/bin/ruff format --check src tests bench notebooks

format: .venv/.installed ## 自动格式化 / ruff fix and format
	$(VENV)/bin/ruff check --fix src tests bench notebooks
	$(VENV)/bin/ruff format src tests bench notebooks

serve: ## 本地预览网站 / preview _site on http://127.0.0.1:8000 (PORT=…)
	@test -f _site/index.html || { echo "_site/ 不存在，请先运行 make report / run make report first"; exit 1; }
	$(PYTHON) -m http.server --bind 127.0.0.1 --directory _site $(PORT)

clean: ## 删除构建产物 / remove build/, _site/ and caches (keeps reports/ and data/)
	rm -rf build _site _site.* .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -not -path './.venv/*' -prune -exec rm -rf {} +

templates: .venv/.installed ## 生成报送模板 / write blank submission workbooks to build/templates
	$(PY) -m evalkit templates

validate: .venv/.installed ## 校验并整理报送数据 / validate data/raw/demo into data/curated
	$(PY) -m evalkit validate

demo: .venv/.installed ## 生成合成演示数据 / regenerate the synthetic demo dataset in data/raw/demo
	$(PY) -m evalkit demo

lock: ## 重新生成锁定文件 / regenerate requirements.lock from a fresh resolve of pyproject.toml
	rm -rf build/lock-venv
	$(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/pip install --quiet -e ".[test]"
	build/lock-venv/bin/pip freeze --exclude-editable | LC_ALL=C sort -f > requirements.lock
	rm -rf build/lock-venv

# BENCH_COMPARE=DIR also times an older src/ (e.g. `git archive <commit> | tar -x -C DIR`)
# interleaved with this one: the before/after speed comparison.
bench: .venv/.installed data/curated/_meta.json ## 性能基准 / intake at province scale; report: changed-input sets, warm/cold, vs single-process floor; whole pipeline at province scale [BENCH_COMPARE=old-src]
	@$(BYTECODE)
	$(if $(value BENCH_COMPARE),@$(PY) -m compileall -q $(call shquote,$(value BENCH_COMPARE)) 2>/dev/null || true)
	$(PY) bench/bench_intake.py
	$(PY) bench/bench_scale.py
	$(PY) bench/bench_pipeline.py$(if $(value BENCH_COMPARE), --compare-src $(call shquote,$(value BENCH_COMPARE)))
