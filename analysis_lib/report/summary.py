"""The machine-readable summary of a report: the key results a portfolio
view needs, recorded by the diagnostic notebook as an output of its own
mimetype (scrapbook-style) and read back from the executed notebook.

This module is deliberately light (no analysis imports): batch workers read
summaries without loading the analysis stack.
"""

from __future__ import annotations

from typing import Any

SUMMARY_MIMETYPE = "application/vnd.crm-diag.summary+json"
"""Mimetype under which the notebook records its key results."""


def read_summary(notebook) -> dict[str, Any] | None:
    """The summary recorded in an executed notebook (a path or a notebook
    node), or None when it has none.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[
    ...     nbformat.v4.new_output("display_data", data={SUMMARY_MIMETYPE: {"institution_id": "CITY-01"}})])])
    >>> read_summary(nb)
    {'institution_id': 'CITY-01'}
    """
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4) if not hasattr(notebook, "cells") else notebook
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if SUMMARY_MIMETYPE in data:
                return dict(data[SUMMARY_MIMETYPE])
    return None
