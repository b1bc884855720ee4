"""Typed parameters of the diagnostic report, checked before any kernel
starts (papermill itself accepts unknown names and wrong types silently).

The schema is the single definition of the notebook's parameters: their
type, default, allowed values and help text. The notebook's ``parameters``
cell mirrors it (a test keeps the two in step).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from analysis_lib.errors import ParameterError
from analysis_lib.reference.catalog import LANGUAGES, data_dir


@dataclass(frozen=True)
class Spec:
    """One parameter: type, default, help and constraints."""

    name: str
    kind: type
    default: Any
    help: str
    choices: tuple | None = None
    low: float | None = None
    high: float | None = None
    optional: bool = False


def _specs() -> tuple[Spec, ...]:
    from analysis_lib.gaps.targets import TARGET_SETS

    return (
        Spec("institution_id", str, "CITY-02", "Institution to diagnose (an institution_id of the panel)"),
        Spec("panel_path", str, str(data_dir() / "sample" / "institutions.csv"), "Panel file (CSV or XLSX)"),
        Spec("peer_group", str, "", "Peer group to compare against (empty: its own)", optional=True),
        Spec("target_set", str, "top_quartile", "Target set", choices=tuple(t for t in TARGET_SETS if t != "custom")),
        Spec("discount_rate", float, 0.08, "Annual discount rate (fraction)", low=-0.5, high=1.0),
        Spec("horizon_years", int, 5, "Business-case horizon in years", low=2, high=15),
        Spec("scenario", str, "base", "Business-case scenario shown first", choices=("base", "pessimistic", "optimistic")),
        Spec("language", str, "en", "Report language", choices=LANGUAGES),
        Spec("seed", int, 2026, "Seed of every Monte Carlo simulation", low=0, high=2**32 - 1),
        Spec("customer_extract", str, "", "Optional customer extract, CSV, XLSX or Parquet (empty: no customer section)", optional=True),
        Spec("customer_mapping", str, "", "Mapping file (YAML) of the customer extract: crm-diag customers map EXTRACT writes one "
             "(empty: proposed from the headers)", optional=True),
        Spec("mc_draws", int, 20000, "Monte Carlo draws", low=1000, high=1_000_000),
        Spec("prepared_by", str, "", "Firm or team that prepared the report, shown on the cover (empty: the engagement team)", optional=True),
        Spec("commentary", str, "", "Optional consultant's commentary, Markdown with one '## <section id>' heading per section (empty: none)",
             optional=True),
        Spec("exports", str, "", "Deliverables recorded for export besides HTML/PDF: pptx, xlsx or pptx,xlsx (set by --formats)",
             optional=True),
    )


SPECS: tuple[Spec, ...] = ()


def specs() -> tuple[Spec, ...]:
    """The parameter schema, in notebook order."""
    global SPECS
    if not SPECS:
        SPECS = _specs()
    return SPECS


def _coerce(spec: Spec, value: Any) -> Any:
    if spec.kind is bool or isinstance(value, bool):
        raise ParameterError(f"parameter {spec.name!r}: {value!r} is a boolean; expected {spec.kind.__name__}")
    if spec.kind is int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                raise ParameterError(f"parameter {spec.name!r}: {value!r} is not a whole number") from None
        if not isinstance(value, int):
            raise ParameterError(f"parameter {spec.name!r}: {value!r} is not a whole number")
    elif spec.kind is float:
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise ParameterError(f"parameter {spec.name!r}: {value!r} is not a number") from None
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ParameterError(f"parameter {spec.name!r}: {value!r} is not a finite number")
        value = float(value)
    elif spec.kind is str:
        if value is None and spec.optional:
            value = ""
        if not isinstance(value, str):
            raise ParameterError(f"parameter {spec.name!r}: {value!r} is not text")
    return value


def validate_parameters(values: dict[str, Any], check_files: bool = True) -> dict[str, Any]:
    """Check report parameters against the schema and fill in defaults.

    Raises :class:`ParameterError` for an unknown name (with the closest
    known one), a wrong type, a value out of range or not among the choices,
    or a missing file.

    Examples
    --------
    >>> validate_parameters({"institution_id": "CITY-01", "language": "zh"})["horizon_years"]
    5
    >>> validate_parameters({"langauge": "zh"})
    Traceback (most recent call last):
    ...
    analysis_lib.errors.ParameterError: unknown parameter 'langauge' (did you mean 'language'?); known: institution_id, panel_path, \
peer_group, target_set, discount_rate, horizon_years, scenario, language, seed, customer_extract, customer_mapping, mc_draws, prepared_by, commentary, exports
    """
    import difflib

    schema = {s.name: s for s in specs()}
    for name in values:
        if name not in schema:
            close = difflib.get_close_matches(name, schema, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ParameterError(f"unknown parameter {name!r}{hint}; known: {', '.join(schema)}")
    result = {}
    for name, spec in schema.items():
        value = _coerce(spec, values.get(name, spec.default))
        if spec.choices is not None and value not in spec.choices:
            raise ParameterError(f"parameter {name!r}: {value!r} is not one of {', '.join(map(str, spec.choices))}")
        if spec.low is not None and not spec.low <= value <= spec.high:
            raise ParameterError(f"parameter {name!r}: {value!r} is outside {spec.low:g}..{spec.high:g}")
        result[name] = value
    if not result["institution_id"].strip():
        raise ParameterError("parameter 'institution_id' is empty")
    from analysis_lib.intake.identifiers import ID_RULE, id_problem, normalise_id

    result["institution_id"] = normalise_id(result["institution_id"])
    reason = id_problem(result["institution_id"])
    if reason:
        raise ParameterError(f"parameter 'institution_id': {result['institution_id']!r} {reason}; ids are {ID_RULE}")
    if result["peer_group"]:
        from analysis_lib.reference.catalog import load_peer_groups

        groups = list(load_peer_groups().index)
        if result["peer_group"] not in groups:
            raise ParameterError(f"parameter 'peer_group': {result['peer_group']!r} is not one of {', '.join(groups)}")
    result["exports"] = _exports(result["exports"])
    if check_files:
        for name in ("panel_path", "customer_extract", "customer_mapping", "commentary"):
            if result[name]:
                result[name] = str(resolve_input_path(result[name], name))
        if result["customer_mapping"] and not result["customer_extract"]:
            raise ParameterError("parameter 'customer_mapping' is given without 'customer_extract'")
        if result["customer_extract"]:
            check_customer_inputs(result["customer_extract"], result["customer_mapping"])
        if result["commentary"]:
            from analysis_lib.report.commentary import read_commentary

            read_commentary(result["commentary"])
    return result


def check_customer_inputs(extract: str, mapping: str = "") -> None:
    """Validate a customer extract against its mapping before any kernel
    starts; raises :class:`ParameterError` listing every error (file, row,
    column; never an id value). Results are cached by file, size and
    modification time, so the checks of one run read the extract once."""
    stats = tuple((p, os.stat(p).st_size, os.stat(p).st_mtime_ns) for p in (extract, mapping) if p)
    problems = _customer_problems(stats)
    if problems:
        raise ParameterError(f"parameter 'customer_extract': {Path(extract).name} does not validate with "
                             f"{Path(mapping).name if mapping else 'the mapping proposed from its headers'} "
                             f"({len(problems)} error(s); see crm-diag customers validate):\n" + "\n".join(problems[:20]))


@lru_cache(maxsize=8)
def _customer_problems(stats: tuple) -> tuple[str, ...]:
    from analysis_lib.customers.extract import validate_customer_extract
    from analysis_lib.errors import InputDataError

    extract, mapping = stats[0][0], (stats[1][0] if len(stats) > 1 else None)
    try:
        report = validate_customer_extract(extract, mapping)
    except InputDataError as exc:
        return tuple(str(exc).splitlines())
    return tuple(str(p) for p in report.errors)


EXPORTS = ("pptx", "xlsx")
"""Deliverables besides HTML and PDF: the PowerPoint deck and the Excel data pack."""


def _exports(text: str) -> str:
    """The ``exports`` parameter in canonical order.

    Examples
    --------
    >>> _exports(" xlsx, pptx ")
    'pptx,xlsx'
    """
    asked = {f.strip() for f in text.split(",") if f.strip()}
    if asked - set(EXPORTS):
        raise ParameterError(f"parameter 'exports': {text!r} is not a list of {', '.join(EXPORTS)}")
    return ",".join(f for f in EXPORTS if f in asked)


def resolve_input_path(path: str, name: str = "path") -> Path:
    """An input file, relative to the working directory or, failing that, to
    the workbook's root (so a notebook opened in ``notebooks/`` finds
    ``data/...``). Raises :class:`ParameterError` when it is in neither.

    Examples
    --------
    >>> resolve_input_path("data/metrics.csv").name
    'metrics.csv'
    """
    candidate = Path(path).expanduser()
    if candidate.is_file():
        return candidate.resolve()
    root_relative = data_dir().parent / candidate
    if not candidate.is_absolute() and root_relative.is_file():
        return root_relative.resolve()
    raise ParameterError(f"parameter {name!r}: file not found: {path}")


def parameters_cell_source() -> str:
    """The notebook's ``parameters`` cell, generated from the schema (typed,
    with help comments that ``papermill --help-notebook`` shows)."""
    lines = []
    for spec in specs():
        default = repr(spec.default)
        if spec.name == "panel_path":
            default = '"data/sample/institutions.csv"'
        choices = f" [{' | '.join(map(str, spec.choices))}]" if spec.choices else ""
        lines.append(f"{spec.name}: {spec.kind.__name__} = {default}  # {spec.help}{choices}")
    return "\n".join(lines)
