import pandas as pd
import pytest

from analysis_lib.errors import InputDataError
from analysis_lib.plan.data_protection import load_obligations, privacy_checklist


def test_obligations_name_their_regulation_year_and_both_languages():
    table = load_obligations()
    assert len(table) >= 8
    assert table["regulation_en"].str.contains(r"\b(?:19|20)\d{2}\b").all()
    assert table["regulation_zh"].str.contains(r"\d{4}年").all()
    assert table[["obligation_en", "obligation_zh", "owner_en", "owner_zh"]].notna().all().all()
    assert {"PI-2", "PI-3", "PI-5"} <= set(table.index)  # sensitive data, automated decisions, cross-border


def test_checklist_follows_the_selected_initiatives():
    everything = privacy_checklist(["cdp_consolidation", "churn_early_warning", "ai_marketing", "open_api", "data_governance",
                                    "intelligent_service", "process_reengineering", "training_adoption", "resilience"])
    assert len(everything) == len(load_obligations())
    marketing = privacy_checklist(["ai_marketing"])
    assert {"PI-3", "CP-1"} <= set(marketing["obligation_id"]) and "CS-1" not in set(marketing["obligation_id"])
    assert all(ids == ("ai_marketing",) for ids in marketing["triggered_by"])
    assert privacy_checklist([]).empty


def test_an_unknown_initiative_in_the_data_is_refused(tmp_path):
    bad = tmp_path / "privacy_obligations.csv"
    frame = load_obligations().reset_index().head(1)
    frame["initiatives"] = "teleportation"
    frame.to_csv(bad, index=False)
    with pytest.raises(InputDataError, match="unknown or no initiatives"):
        load_obligations(bad)
    assert isinstance(load_obligations(), pd.DataFrame)
