# The front door. `make demo` and `make test` set everything up themselves.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: setup demo test lab lint bench sample-data template notebooks clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install the workbook with its dependencies

demo: setup  ## run the main job on the bundled sample panel (results under outputs/)
	$(VENV)/bin/crm-diag demo

test: setup  ## run the test suite
	$(PY) -m pytest

lab: setup  ## open JupyterLab on the notebooks (institution_diagnostic, explore_institution, progress_review, portfolio_summary)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

lint: setup
	$(VENV)/bin/ruff check .

bench: setup  ## speed and memory benchmarks (on demand, not part of the tests)
	for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

sample-data: setup  ## regenerate the sample panels (data/sample/institutions*.csv) and the review sample from the baselines
	$(VENV)/bin/crm-diag sample-data

notebooks: setup  ## rewrite the report notebooks from the library (parameter schema, sections)
	$(PY) -m analysis_lib.report.notebook_builder

template: setup  ## write the Excel intake template to outputs/intake_template.xlsx
	$(VENV)/bin/crm-diag template outputs/intake_template.xlsx

clean:
	rm -rf $(VENV) outputs/*/ .pytest_cache
