from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLE_PANEL = REPO / "data" / "sample" / "institutions.csv"


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    assert path.exists(), f"reference data missing: {path} (the shared/ folder sits beside the repository)"
    return path


def load_reference(name: str) -> list[dict]:
    return json.loads(shared_path("reference", name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def sample_panel():
    from analysis_lib.intake.panel import load_panel

    return load_panel(SAMPLE_PANEL)
