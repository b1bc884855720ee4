"""The deliverables besides the HTML and PDF report: the PowerPoint deck
(:mod:`analysis_lib.report.deck`) and the Excel data pack
(:mod:`analysis_lib.report.datapack`).

The diagnostic notebook records their content, built from the same
diagnostic as the report's sections, as an output of its own mimetype (like
the summary, :mod:`analysis_lib.report.summary`) when its ``exports``
parameter asks for them; the files are then written from the executed
notebook, by the command line or a batch worker, with python-pptx and
openpyxl only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXPORTS_MIMETYPE = "application/vnd.crm-diag.deliverables+json"
"""Mimetype under which the notebook records the deck's and data pack's content."""
EXPORT_FORMATS = ("pptx", "xlsx")


def exports_of(formats) -> str:
    """The notebook's ``exports`` parameter for a list of output formats.

    Examples
    --------
    >>> exports_of(("html", "xlsx", "pptx"))
    'pptx,xlsx'
    """
    return ",".join(f for f in EXPORT_FORMATS if f in formats)


def record_exports(diag) -> dict[str, Any]:
    """Display the content of the deliverables the run's ``exports``
    parameter asks for (nothing when it is empty), for the notebook.

    Examples
    --------
    >>> from analysis_lib.report.diagnostic import run_diagnostic
    >>> sorted(record_exports(run_diagnostic(institution_id="CITY-01", mc_draws=1000, exports="xlsx"))[EXPORTS_MIMETYPE])
    ['xlsx']
    """
    asked = [f for f in diag.params.get("exports", "").split(",") if f]
    content: dict[str, Any] = {}
    if "pptx" in asked:
        from analysis_lib.report.deck import deck_payload

        content["pptx"] = deck_payload(diag)
    if "xlsx" in asked:
        from analysis_lib.report.datapack import datapack_payload

        content["xlsx"] = datapack_payload(diag)
    return {EXPORTS_MIMETYPE: content}


def read_exports(notebook) -> dict[str, Any]:
    """The deliverables' content recorded in an executed notebook (a path or
    a notebook node); empty when none was recorded."""
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4) if not hasattr(notebook, "cells") else notebook
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if EXPORTS_MIMETYPE in data:
                return dict(data[EXPORTS_MIMETYPE])
    return {}


@dataclass(frozen=True)
class Deliverables:
    """Paths of the deck and the data pack written (None when not asked for)."""

    pptx: Path | None = None
    xlsx: Path | None = None


def write_deliverables(notebook, folder: Path, stem: str, formats, deck_template: str | None = None) -> Deliverables:
    """Write ``<stem>.pptx`` and ``<stem>.xlsx`` into ``folder`` from an
    executed notebook, for the formats asked for.

    Raises
    ------
    RuntimeError
        When a format was asked for and the notebook recorded no content for
        it (a notebook run without the ``exports`` parameter).
    """
    content = read_exports(notebook)
    written: dict[str, Path] = {}
    for fmt in EXPORT_FORMATS:
        if fmt not in formats:
            continue
        if fmt not in content:
            raise RuntimeError(f"the executed notebook recorded no {fmt} content; run it with -p exports {exports_of(formats)}")
        path = Path(folder) / f"{stem}.{fmt}"
        if fmt == "pptx":
            from analysis_lib.report.deck import write_deck

            written[fmt] = write_deck(content[fmt], path, deck_template)
        else:
            from analysis_lib.report.datapack import write_datapack

            written[fmt] = write_datapack(content[fmt], path)
    return Deliverables(written.get("pptx"), written.get("xlsx"))
