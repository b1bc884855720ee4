"""The customer book of one institution: every customer analysis of the
report run once from an extract and its mapping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from analysis_lib.customers.churn_model import fit_churn_model, note_in_chinese
from analysis_lib.customers.extract import CustomerExtract, load_customer_extract, warning_in_chinese
from analysis_lib.customers.retention import churn_rates, kaplan_meier, tenure_band
from analysis_lib.customers.value import MarginModel, customer_value, value_risk_segments


def analyse_customer_book(path: str | Path, mapping: str | Path | None = None, seed: int = 7,
                          discount_rate: float = 0.08) -> dict[str, Any]:
    """Churn rates, retention curve, churn model, values and segments of an
    extract.

    Returns a dictionary: ``overall``, ``by_products``, ``by_tenure``,
    ``by_region`` (churn rates with Wilson intervals, or None), ``km``
    (Kaplan–Meier, or None without tenure or dates), ``model``,
    ``segments``, ``clv_total`` and ``clv_at_risk`` (CNY),
    ``margin_at_risk`` (CNY a year: Σ churn probability × annual margin,
    the flow the value at stake uses, never the lifetime value),
    ``customers``, ``book_type``, ``currency``, ``fx_rate``,
    ``margin_model``, ``notes`` (how tenure and amounts were read) and
    ``warnings`` (the intake's warnings and the columns the model left out)
    with ``warnings_zh``, the same in Chinese (columns by their ``label_zh``).

    Examples
    --------
    >>> from analysis_lib.customers.sample_extract import sample_mapping
    >>> from analysis_lib.reference.catalog import data_dir
    >>> book = analyse_customer_book(data_dir() / "sample" / "customers.csv", sample_mapping())
    >>> book["customers"], book["book_type"], len(book["segments"]), book["notes"]
    (20000, 'deposits', 4, ('tenure read in years (declared)', 'amounts in CNY'))
    """
    extract = load_customer_extract(path, mapping if mapping else None)
    model = fit_churn_model(extract, seed=seed)
    margin_model = MarginModel.for_book(extract.book_type)
    values = customer_value(extract, model, discount_rate, margin_model)
    names = {e.column: e.shown_zh for e in extract.mapping.used()} if extract.mapping else {}
    data = extract.data
    with_bands = CustomerExtract(data.assign(tenure_band=tenure_band(data["tenure"])), extract.source) if "tenure" in data else None
    return {
        "overall": churn_rates(extract),
        "by_products": churn_rates(extract, "products") if "products" in data else None,
        "by_tenure": churn_rates(with_bands, "tenure_band") if with_bands is not None else None,
        "by_region": churn_rates(extract, "region") if "region" in data else None,
        "km": kaplan_meier(extract) if "tenure" in data else None,
        "model": model,
        "segments": value_risk_segments(values),
        "clv_total": float(values["clv"].sum()),
        "clv_at_risk": float(values["clv_at_risk"].sum()),
        "margin_at_risk": float((values["churn_probability"] * values["margin"]).sum()),
        "customers": len(values),
        "book_type": extract.book_type,
        "currency": extract.currency,
        "fx_rate": extract.fx_rate,
        "margin_model": margin_model,
        "notes": extract.notes,
        "warnings": tuple(extract.warnings) + tuple(model.notes),
        "warnings_zh": tuple(warning_in_chinese(w, names) for w in extract.warnings) + tuple(note_in_chinese(n, model.names_zh)
                                                                                          for n in model.notes),
    }
