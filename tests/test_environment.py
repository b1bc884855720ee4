"""environment.yml (conda) and pyproject.toml must list the same dependencies."""

import re
import tomllib

import yaml

from conftest import REPO


def _requirement(spec: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", spec)
    assert match, spec
    return match.group(1).lower().replace("_", "-"), match.group(2).replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = dict(_requirement(s) for s in project["dependencies"] + project["optional-dependencies"]["test"])
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    specs = [_requirement(s) for s in env["dependencies"] if isinstance(s, str)]
    conda = dict(s for s in specs if s[0] not in ("python", "pip"))  # the interpreter and pip itself, not packages such as python-pptx
    assert conda == wanted
    python = next(s for s in env["dependencies"] if isinstance(s, str) and _requirement(s)[0] == "python")
    assert python.replace("python", "") == project["requires-python"]
