"""The consultant's desk: JupyterLab is installed and the notebooks run top
to bottom with their defaults in the installed kernel."""

import subprocess
import sys
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from conftest import REPO

NOTEBOOKS = REPO / "notebooks"


def test_jupyterlab_is_installed_in_the_environment():
    jupyter = Path(sys.executable).with_name("jupyter")
    result = subprocess.run([str(jupyter), "lab", "--version"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip().split(".")[0]) >= 4


@pytest.mark.parametrize("name", ["explore_institution.ipynb", "institution_diagnostic.ipynb", "progress_review.ipynb"])
def test_notebook_runs_top_to_bottom_with_its_defaults(name, tmp_path):
    out = tmp_path / name
    pm.execute_notebook(str(NOTEBOOKS / name), str(out), kernel_name="python3", cwd=str(REPO), progress_bar=False,
                        parameters={"mc_draws": 2000} if name.startswith("institution") else {})
    executed = nbformat.read(str(out), as_version=4)
    outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "\n".join(str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    if name.startswith("explore"):
        assert "percentile" in text and "peer_median" in text and "CRM TCO per customer" in text
        assert "npv" in text and "benefit_realisation" in text and "peer_group" in text
    else:
        assert any("text/html" in o.get("data", {}) for o in outputs)


def test_running_notebooks_does_not_load_the_iri_grammar():
    """The processes that run and convert notebooks import this package's
    export module first: jsonschema then never compiles its IRI grammar,
    and notebooks still validate."""
    import subprocess
    import sys

    probe = ("import sys, analysis_lib.report.export, nbformat\n"
             "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')])\n"
             "nbformat.validate(nb)\n"
             "bad = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')])\n"
             "bad.cells[0]['execution_count'] = 'one'\n"
             "print(sys.modules.get('rfc3987_syntax', 'absent'), nbformat.validator.isvalid(bad))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split() == ["None", "False"] or done.stdout.split() == ["absent", "False"]
