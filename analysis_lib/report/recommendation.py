"""The verdict of a diagnostic: what we recommend, the decision we ask of the
client, and what must be true for the recommendation to hold.

Four verdicts, decided in this order (the first that applies):

1. **Fix the data first** — the input cannot carry a decision: the
   data-quality score is below :data:`MIN_DATA_QUALITY`, fewer than
   :data:`MIN_COMPLETENESS` percent of the metrics are reported, a consistency rule
   is broken, or the economics fall outside the plausibility bounds (an
   implausible figure is far more often an input error than a windfall).
2. **Do not proceed** — the programme destroys value: base NPV ≤ 0, or the
   simulated probability of a positive NPV is below
   :data:`MIN_PROB_TO_PILOT`.
3. **Proceed with a pilot first** — the case is positive but not secure: the
   probability of a positive NPV is below :data:`MIN_PROB_TO_PROCEED`, the
   pessimistic (P10) NPV is negative, payback is longer than
   :data:`MAX_PAYBACK_TO_PROCEED` years, or less than
   :data:`MIN_PUBLIC_SHARE` of the benchmarks rest on public data (the pilot
   then tests the assumed baselines before the full commitment).
4. **Proceed** — otherwise.

"What must be true" lists the break-even conditions of the business case
(benefit realisation, annual benefit, budget) against their base values, so
a reader sees how much room each assumption has.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

VERDICTS = ("fix_data_first", "do_not_proceed", "pilot_first", "proceed")
MIN_DATA_QUALITY = 70.0
"""Data-quality score (0–100) below which no investment verdict is given."""
MIN_COMPLETENESS = 50.0
"""Share of the catalog's metrics (0–100) an institution must report: with
fewer, the comparison rests on too little of the picture to decide."""
MIN_PROB_TO_PILOT = 0.5
"""P(NPV > 0) below which the programme is not worth piloting."""
MIN_PROB_TO_PROCEED = 0.8
"""P(NPV > 0) from which the full programme can be committed at once."""
MAX_PAYBACK_TO_PROCEED = 3.0
"""Payback (years) beyond which a pilot should prove the benefits first."""
LEADER_SCORE = 75.0
"""Overall score (0–100) from which an institution leads its peers: the top
quartile's typical score."""
MIN_PUBLIC_SHARE = 0.3
"""Share of the benchmarks that rest on public data below which a pilot
tests the assumed baselines first."""


@dataclass(frozen=True)
class Evidence:
    """The figures a verdict rests on (plain values, as in ``summary.json``).

    Attributes
    ----------
    npv, npv_p10 : float
        Base-case NPV and the simulated 10th percentile (CNY).
    prob_npv_positive : float
        Simulated probability of a positive NPV.
    payback_years : float or None
        Payback of the base case (None: never within the horizon).
    data_quality : float
        Data-quality score of the institution's input (0–100).
    public_share : float
        Share of the compared metrics whose benchmark rests on public data
        (a real peer panel or a published figure), 0–1.
    consistency_breaks : int
        Consistency rules the input breaks.
    plausible : bool
        Whether value at stake and benefits are within the plausibility
        bounds.
    completeness : float
        Share of the catalog's metrics reported (0–100).
    leads_peers : bool
        Whether the institution leads its peers overall (then a programme
        that does not pay back is declined as unnecessary, not as failed).
    """

    npv: float
    npv_p10: float
    prob_npv_positive: float
    payback_years: float | None
    data_quality: float
    public_share: float
    consistency_breaks: int = 0
    plausible: bool = True
    leads_peers: bool = False
    completeness: float = 100.0


@dataclass(frozen=True)
class Recommendation:
    """A verdict with the reasons that decided it (keys, see :data:`REASONS`)
    and the conditions that must hold. When the data must be fixed first,
    ``economic_verdict`` and ``economic_reasons`` say what the economics
    point to on the figures as given (what the fix is likely to confirm or
    overturn)."""

    verdict: str
    reasons: tuple[str, ...]
    conditions: pd.DataFrame = field(default_factory=pd.DataFrame)
    economic_verdict: str = ""
    economic_reasons: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """Plain values for ``summary.json``."""
        return {"verdict": self.verdict, "reasons": list(self.reasons), "economic_verdict": self.economic_verdict or self.verdict}


def recommend(evidence: Evidence, break_even: pd.DataFrame | None = None) -> Recommendation:
    """The verdict for one institution.

    Parameters
    ----------
    evidence : Evidence
        The figures the verdict rests on.
    break_even : pandas.DataFrame, optional
        :func:`analysis_lib.roi.business_case.break_even` of the base case
        (``driver, base_value, break_even``), for "what must be true".

    Returns
    -------
    Recommendation

    Examples
    --------
    >>> strong = Evidence(npv=120e6, npv_p10=30e6, prob_npv_positive=0.97, payback_years=2.1, data_quality=95, public_share=0.6)
    >>> recommend(strong).verdict
    'proceed'
    >>> recommend(Evidence(npv=15e6, npv_p10=-20e6, prob_npv_positive=0.7, payback_years=3.5, data_quality=90,
    ...                    public_share=0.6)).reasons
    ('uncertain_npv', 'downside_negative', 'long_payback')
    """
    table = conditions(break_even) if break_even is not None else pd.DataFrame()
    economic, economic_reasons = _economic_verdict(evidence)
    data = _data_reasons(evidence)
    if data:
        return Recommendation("fix_data_first", data, table, economic, economic_reasons)
    return Recommendation(economic, economic_reasons, table, economic, economic_reasons)


def _economic_verdict(evidence: Evidence) -> tuple[str, tuple[str, ...]]:
    """The verdict of the economics alone (steps 2 to 4)."""
    if evidence.npv <= 0 or evidence.prob_npv_positive < MIN_PROB_TO_PILOT:
        return "do_not_proceed", tuple(r for r, hit in (("leads_peers", evidence.leads_peers), ("negative_npv", evidence.npv <= 0),
                                                        ("unlikely_positive", evidence.prob_npv_positive < MIN_PROB_TO_PILOT)) if hit)
    reasons = _pilot_reasons(evidence)
    return ("pilot_first", reasons) if reasons else ("proceed", ("secure_case",))


def _data_reasons(evidence: Evidence) -> tuple[str, ...]:
    checks = (("poor_data_quality", evidence.data_quality < MIN_DATA_QUALITY),
              ("incomplete_input", evidence.completeness < MIN_COMPLETENESS),
              ("inconsistent_input", evidence.consistency_breaks > 0),
              ("implausible_economics", not evidence.plausible))
    return tuple(reason for reason, hit in checks if hit)


def _pilot_reasons(evidence: Evidence) -> tuple[str, ...]:
    payback = evidence.payback_years
    checks = (("uncertain_npv", evidence.prob_npv_positive < MIN_PROB_TO_PROCEED),
              ("downside_negative", evidence.npv_p10 < 0),
              ("long_payback", payback is None or not np.isfinite(payback) or payback > MAX_PAYBACK_TO_PROCEED),
              ("assumed_baselines", evidence.public_share < MIN_PUBLIC_SHARE))
    return tuple(reason for reason, hit in checks if hit)


CONDITION_DRIVERS = ("benefit_realisation", "annual_benefit", "total_budget")


def conditions(break_even: pd.DataFrame) -> pd.DataFrame:
    """What must be true: each driver's break-even against its base value and
    the headroom (how far it may move before NPV turns negative).

    Examples
    --------
    >>> be = pd.DataFrame({"driver": ["benefit_realisation", "total_budget"], "base_value": [0.8, 100.0],
    ...                    "break_even": [0.5, 150.0]})
    >>> conditions(be)["headroom"].round(3).tolist()
    [0.375, 0.5]
    """
    rows = break_even[break_even["driver"].isin(CONDITION_DRIVERS)].dropna(subset=["break_even"])
    headroom = (rows["base_value"] - rows["break_even"]).abs() / rows["base_value"].abs()
    return pd.DataFrame({"driver": rows["driver"].to_numpy(), "base_value": rows["base_value"].to_numpy(),
                         "break_even": rows["break_even"].to_numpy(), "headroom": headroom.to_numpy()})


HEADLINES = {
    "proceed": {"en": "We recommend proceeding with the programme.", "zh": "建议启动本CRM升级项目。"},
    "pilot_first": {"en": "We recommend proceeding with a pilot first, and committing the full programme once the pilot confirms the "
                                "benefits.",
                    "zh": "建议先开展试点，待试点验证收益后再全面推进。"},
    "do_not_proceed": {"en": "We do not recommend the programme as scoped: it does not pay back.",
                       "zh": "按当前范围不建议实施本项目：其投资无法收回。"},
    "do_not_proceed_leader": {"en": "We do not recommend a broad upgrade programme: the institution already leads its peers, and what is "
                                     "left to gain does not pay for a programme.",
                              "zh": "不建议开展全面升级项目：该机构已在同业中领先，剩余可获取的价值不足以支撑一个升级项目。"},
    "fix_data_first": {"en": "We recommend fixing the input data before any investment decision.",
                       "zh": "建议先修正输入数据，再作投资决策。"},
}
DECISIONS = {
    "proceed": {"en": "Decision requested: approve the programme budget and appoint the programme sponsor.",
                "zh": "请管理层决策：批准项目预算并任命项目发起人。"},
    "pilot_first": {"en": "Decision requested: approve the pilot budget and the success criteria that release the full programme.",
                    "zh": "请管理层决策：批准试点预算及启动全面推广的成功标准。"},
    "do_not_proceed": {"en": "Decision requested: stop the programme as scoped and re-scope it around the few levers that pay back.",
                       "zh": "请管理层决策：暂停当前范围的项目，围绕可收回投资的少数举措重新界定范围。"},
    "do_not_proceed_leader": {"en": "Decision requested: keep the CRM's run budget, adopt the watch-list of \"Sustaining the lead\" with "
                                     "its re-assessment thresholds, and fund targeted fixes from the run budget where a metric slips.",
                              "zh": "请管理层决策：维持CRM运营预算，采纳“保持领先”一节的监测清单及重新评估阈值，在个别指标下滑时以运营预算进行针对性改进。"},
    "fix_data_first": {"en": "Decision requested: mandate the data owners to correct the flagged inputs within four weeks, then rerun "
                                "the diagnostic.",
                       "zh": "请管理层决策：责成数据责任部门在四周内修正所列问题数据，随后重新运行诊断。"},
}
REASONS = {
    "incomplete_input": {"en": "fewer than half of the metrics are reported", "zh": "报送的指标不足一半"},
    "poor_data_quality": {"en": "the input's data-quality score is too low to carry a decision",
                          "zh": "输入数据质量得分过低，不足以支撑决策"},
    "inconsistent_input": {"en": "the input breaks consistency rules", "zh": "输入数据未通过一致性校验"},
    "implausible_economics": {"en": "the economics fall outside the plausibility bounds", "zh": "测算结果超出合理性区间"},
    "negative_npv": {"en": "the base-case NPV is negative", "zh": "基准情景净现值为负"},
    "unlikely_positive": {"en": "a positive NPV is less likely than not", "zh": "净现值为正的概率不足一半"},
    "leads_peers": {"en": "the institution already leads its peers, so the gaps left to close are small",
                    "zh": "该机构已在同业中领先，可缩小的差距有限"},
    "uncertain_npv": {"en": "the NPV is positive in fewer than 80% of simulations", "zh": "模拟中净现值为正的概率低于80%"},
    "downside_negative": {"en": "the pessimistic case (P10) loses money", "zh": "悲观情景（P10）净现值为负"},
    "long_payback": {"en": "payback takes more than three years", "zh": "投资回收期超过三年"},
    "assumed_baselines": {"en": "the benchmarks rest mostly or wholly on assumptions rather than public data",
                          "zh": "基准值大多或全部基于假设而非公开数据"},
    "secure_case": {"en": "the case is positive in most simulations, the downside is limited and payback is short",
                    "zh": "多数模拟情景净现值为正，下行风险有限且投资回收期较短"},
}


LEADER_REASONS = {
    "negative_npv": {"en": "the best candidate's base-case NPV is negative", "zh": "最佳候选举措的基准情景净现值为负"},
    "unlikely_positive": {"en": "its NPV is positive in fewer than half of the simulations", "zh": "其净现值为正的模拟概率不足一半"},
}
"""Reason wordings for a leader, whose economics are those of the best candidate it declines."""


def headline(recommendation: Recommendation, language: str = "en") -> str:
    """The recommendation in one sentence, with its reasons.

    Examples
    --------
    >>> r = Recommendation("pilot_first", ("long_payback",))
    >>> headline(r, "en")
    'We recommend proceeding with a pilot first, and committing the full programme once the pilot confirms the benefits. \
Why: payback takes more than three years.'
    """
    variant = _variant(recommendation.verdict, recommendation.reasons)
    text = HEADLINES[variant][language] + _why(recommendation.reasons, language, variant)
    if recommendation.verdict == "fix_data_first" and recommendation.economic_verdict:
        lead = "若现有数据经核实无误，经济性结论为：" if language == "zh" else " If the figures are confirmed, the economics point to this: "
        economic_variant = _variant(recommendation.economic_verdict, recommendation.economic_reasons)
        economic = HEADLINES[economic_variant][language]
        economic = economic if language == "zh" else economic[0].lower() + economic[1:]
        text += lead + economic + _why(recommendation.economic_reasons, language, economic_variant)
    return text


def _why(reasons: tuple[str, ...], language: str, variant: str = "") -> str:
    """The reasons in words; a leader's headline already says it leads, and
    its economic reasons are those of the best candidate it declines."""
    if variant == "do_not_proceed_leader":
        words = [LEADER_REASONS.get(r, REASONS[r])[language] for r in reasons if r != "leads_peers"]
    else:
        words = [REASONS[r][language] for r in reasons]
    joined = "；".join(words) if language == "zh" else "; ".join(words)
    return f"理由：{joined}。" if language == "zh" else f" Why: {joined}."


def decision(recommendation: Recommendation, language: str = "en") -> str:
    """The decision requested of the client."""
    return DECISIONS[_variant(recommendation.verdict, recommendation.reasons)][language]


def _variant(verdict: str, reasons: tuple[str, ...]) -> str:
    """The wording of a verdict: a leader declining a programme reads differently from a failed case."""
    return "do_not_proceed_leader" if verdict == "do_not_proceed" and "leads_peers" in reasons else verdict
