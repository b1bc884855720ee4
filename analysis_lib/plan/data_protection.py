"""Data governance and privacy obligations of the programme: the Chinese laws
and regulator rules a CRM upgrade touches (personal-information protection,
data security, banking data governance, consumer protection, cybersecurity),
each tied to the initiatives that trigger it, as a checklist for the
programme office.

The obligations are reference data (``data/privacy_obligations.csv``, with
the regulation and its year); the checklist keeps those that at least one
selected initiative triggers and names those initiatives.
"""

from __future__ import annotations

import pandas as pd

from analysis_lib.errors import InputDataError
from analysis_lib.reference.catalog import data_dir


def load_obligations(path=None) -> pd.DataFrame:
    """The obligations table, indexed by ``obligation_id``; ``initiatives``
    as tuples of initiative ids.

    Examples
    --------
    >>> "churn_early_warning" in load_obligations().loc["PI-3", "initiatives"]
    True
    """
    path = path or data_dir() / "privacy_obligations.csv"
    table = pd.read_csv(path, dtype=str).set_index("obligation_id")
    table["initiatives"] = table["initiatives"].fillna("").map(lambda s: tuple(i.strip() for i in s.split(";") if i.strip()))
    known = set(pd.read_csv(data_dir() / "initiatives.csv", usecols=["initiative_id"])["initiative_id"])
    for obligation, initiatives in table["initiatives"].items():
        unknown = sorted(set(initiatives) - known)
        if unknown or not initiatives:
            raise InputDataError(f"{path}: obligation {obligation!r} names unknown or no initiatives {unknown}; "
                                 f"expected ids from data/initiatives.csv")
    return table


def privacy_checklist(selected: list[str], obligations: pd.DataFrame | None = None) -> pd.DataFrame:
    """The obligations the selected initiatives trigger.

    Parameters
    ----------
    selected : list of str
        Initiative ids in the programme.
    obligations : pandas.DataFrame, optional
        Default :func:`load_obligations`.

    Returns
    -------
    pandas.DataFrame
        ``obligation_id, regulation_en, regulation_zh, obligation_en,
        obligation_zh, triggered_by`` (the selected initiatives that trigger
        it), ``owner_en, owner_zh``; in the file's order.

    Examples
    --------
    >>> privacy_checklist(["data_governance"])["obligation_id"].tolist()
    ['DS-1', 'DG-1']
    """
    table = load_obligations() if obligations is None else obligations
    chosen = set(selected)
    triggered = table["initiatives"].map(lambda ids: tuple(i for i in ids if i in chosen))
    rows = table[triggered.map(bool)].copy()
    rows["triggered_by"] = triggered[triggered.map(bool)]
    return rows.drop(columns="initiatives").reset_index()[
        ["obligation_id", "regulation_en", "regulation_zh", "obligation_en", "obligation_zh", "triggered_by", "owner_en", "owner_zh"]]
