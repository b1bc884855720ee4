"""The package layout is the pipeline: a stage imports only from earlier stages.

reference ← intake ← benchmarking, customers ← gaps ← roi, plan ← review ← report ← batch ← demo ← cli
(``errors`` and the package root are shared by every stage.)
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "analysis_lib"
RANK = {
    "errors": 0, "_lazy": 0, "__init__": 0,
    "reference": 1,
    "intake": 2,
    "benchmarking": 3, "customers": 3,
    "gaps": 4,
    "roi": 5, "plan": 5,
    "review": 6,
    "report": 7,
    "batch": 8,
    "demo": 9,
    "cli": 10,
}
STAGES = [name for name in RANK if (PACKAGE / name).is_dir()]


def stage_of(path: Path) -> str:
    """The stage a source file belongs to: its subpackage, or its own name at the top."""
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def imported_stages(path: Path) -> set[tuple[str, int]]:
    """``(stage, line)`` of every ``analysis_lib`` import in a file, top-level or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        else:
            continue
        for module in modules:
            parts = module.split(".")
            if parts[0] == "analysis_lib" and len(parts) > 1:
                found.add((parts[1], node.lineno))
            elif parts[0] == "analysis_lib" and isinstance(node, ast.ImportFrom):
                found.update((alias.name, node.lineno) for alias in node.names if alias.name in RANK)
    return found


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_every_source_file_belongs_to_a_known_stage():
    unknown = sorted({stage_of(path) for path in SOURCES} - set(RANK))
    assert not unknown, f"add these to the stage order in tests/test_layering.py: {unknown}"


def late_imports(path: Path, own: str) -> list[tuple[str, int]]:
    return sorted((stage, line) for stage, line in imported_stages(path) if stage != own and RANK.get(stage, 99) >= RANK[own])


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_import_from_a_later_stage(path):
    own = stage_of(path)
    wrong = late_imports(path, own)
    assert not wrong, f"{path.relative_to(PACKAGE)} (stage {own}) imports later or sibling stages: {wrong}"


def test_the_check_catches_a_backward_import_inside_a_function(tmp_path):
    source = (PACKAGE / "benchmarking" / "positioning.py").read_text(encoding="utf-8")
    copy = tmp_path / "positioning.py"
    copy.write_text(source + "\n\ndef _late():\n    from analysis_lib.report.text import word\n", encoding="utf-8")
    assert late_imports(PACKAGE / "benchmarking" / "positioning.py", "benchmarking") == []
    assert [stage for stage, _ in late_imports(copy, "benchmarking")] == ["report"]


@pytest.mark.parametrize("stage", STAGES)
def test_stage_states_its_contract_and_exports_resolve(stage):
    package = importlib.import_module(f"analysis_lib.{stage}")
    doc = package.__doc__ or ""
    assert "Takes:" in doc and "Gives:" in doc, f"analysis_lib/{stage}/__init__.py must say what the stage takes and gives"
    assert package.__all__, f"analysis_lib.{stage} re-exports nothing"
    for name in package.__all__:
        assert getattr(package, name) is not None, f"analysis_lib.{stage}.{name}"


def test_public_api_by_stage():
    from analysis_lib.benchmarking import dea
    from analysis_lib.roi import irr, npv

    assert npv(0.1, [-100, 110]) == pytest.approx(0.0)
    assert irr([-100, 110]) == pytest.approx(0.10)
    assert hasattr(dea, "dea") and callable(dea.dea)
