import pandas as pd
import pytest

from analysis_lib.report.recommendation import (
    DECISIONS,
    HEADLINES,
    MIN_DATA_QUALITY,
    MIN_PROB_TO_PROCEED,
    REASONS,
    VERDICTS,
    Evidence,
    Recommendation,
    conditions,
    decision,
    headline,
    recommend,
)

STRONG = Evidence(npv=180e6, npv_p10=40e6, prob_npv_positive=0.96, payback_years=2.2, data_quality=96, public_share=0.55)
BORDERLINE = Evidence(npv=12e6, npv_p10=-25e6, prob_npv_positive=0.68, payback_years=3.4, data_quality=92, public_share=0.55)
WEAK = Evidence(npv=-40e6, npv_p10=-90e6, prob_npv_positive=0.22, payback_years=None, data_quality=94, public_share=0.55)
DATA_POOR = Evidence(npv=300e6, npv_p10=100e6, prob_npv_positive=0.99, payback_years=1.5, data_quality=55, public_share=0.1)


@pytest.mark.parametrize("evidence, verdict", [
    (STRONG, "proceed"), (BORDERLINE, "pilot_first"), (WEAK, "do_not_proceed"), (DATA_POOR, "fix_data_first"),
])
def test_designed_institutions_get_their_verdict(evidence, verdict):
    assert recommend(evidence).verdict == verdict


def test_the_four_verdicts_read_differently_in_both_languages():
    for language in ("en", "zh"):
        texts = {headline(recommend(e), language) + decision(recommend(e), language) for e in (STRONG, BORDERLINE, WEAK, DATA_POOR)}
        assert len(texts) == 4
    assert "pilot" in headline(recommend(BORDERLINE), "en") and "试点" in headline(recommend(BORDERLINE), "zh")
    assert "试点" not in headline(recommend(STRONG), "zh")


def test_every_verdict_and_reason_has_both_languages():
    for table, keys in ((HEADLINES, VERDICTS), (DECISIONS, VERDICTS), (REASONS, REASONS)):
        for key in keys:
            assert table[key]["en"] and table[key]["zh"], key


def test_thresholds_decide_at_their_boundaries():
    just_secure = Evidence(npv=10e6, npv_p10=1.0, prob_npv_positive=MIN_PROB_TO_PROCEED, payback_years=3.0, data_quality=MIN_DATA_QUALITY,
                           public_share=0.3)
    assert recommend(just_secure).verdict == "proceed"
    assert recommend(Evidence(**{**just_secure.__dict__, "prob_npv_positive": MIN_PROB_TO_PROCEED - 0.01})).reasons == ("uncertain_npv",)
    assert recommend(Evidence(**{**just_secure.__dict__, "data_quality": MIN_DATA_QUALITY - 0.1})).verdict == "fix_data_first"
    assert recommend(Evidence(**{**just_secure.__dict__, "public_share": 0.29})).reasons == ("assumed_baselines",)
    assert recommend(Evidence(**{**just_secure.__dict__, "npv": 0.0})).verdict == "do_not_proceed"


def test_data_problems_come_before_economics():
    implausible = Evidence(**{**STRONG.__dict__, "plausible": False})
    inconsistent = Evidence(**{**WEAK.__dict__, "consistency_breaks": 2})
    assert recommend(implausible).reasons == ("implausible_economics",)
    assert recommend(inconsistent).verdict == "fix_data_first"


def test_what_must_be_true_comes_from_the_break_even_table():
    be = pd.DataFrame({"driver": ["annual_benefit", "total_budget", "build_share", "benefit_realisation"],
                       "base_value": [100.0, 200.0, 0.3, 0.8], "break_even": [40.0, 330.0, float("nan"), 0.32]})
    table = recommend(STRONG, be).conditions
    assert list(table["driver"]) == ["annual_benefit", "total_budget", "benefit_realisation"]
    assert table["headroom"].tolist() == pytest.approx([0.6, 0.65, 0.6])
    assert conditions(be.iloc[:0]).empty


def test_summary_values_are_plain():
    assert Recommendation("proceed", ("secure_case",)).to_dict() == {"verdict": "proceed", "reasons": ["secure_case"],
                                                                     "economic_verdict": "proceed"}


def test_data_first_still_says_what_the_economics_point_to():
    poor_but_good_case = Evidence(**{**STRONG.__dict__, "consistency_breaks": 1})
    poor_and_bad_case = Evidence(**{**WEAK.__dict__, "consistency_breaks": 1})
    good, bad = recommend(poor_but_good_case), recommend(poor_and_bad_case)
    assert good.verdict == bad.verdict == "fix_data_first"
    assert (good.economic_verdict, bad.economic_verdict) == ("proceed", "do_not_proceed")
    for language in ("en", "zh"):
        assert headline(good, language) != headline(bad, language)
    assert "the economics point to this: we recommend proceeding" in headline(good, "en")
