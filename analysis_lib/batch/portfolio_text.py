"""The portfolio summary's and the batch index's own words, in English and
Chinese. Metric, dimension and peer-group labels come from the catalog,
report words shared with the client report from
:mod:`analysis_lib.report.text`; this module holds only what the portfolio
view says of its own.
"""

from __future__ import annotations

import re

from analysis_lib.report.text import check_language

TITLES: dict[str, dict[str, str]] = {
    "cover": {"en": "CRM Diagnostic: Portfolio Summary", "zh": "CRM诊断：机构组合汇总报告"},
    "review_cover": {"en": "CRM Programme Progress: Portfolio Summary", "zh": "CRM升级项目进展：机构组合汇总报告"},
    "summary": {"en": "Executive summary", "zh": "执行摘要"},
    "first_wave": {"en": "First wave", "zh": "首批实施机构"},
    "matrix": {"en": "Prioritisation matrix and concentration", "zh": "优先级矩阵与价值集中度"},
    "peer_groups": {"en": "Distributions by peer group", "zh": "分同业组的得分分布"},
    "clusters": {"en": "Clusters of similar institutions", "zh": "相似机构分群"},
    "rankings": {"en": "Rankings", "zh": "排名"},
    "productivity": {"en": "Productivity change across institutions", "zh": "各机构生产率变化"},
    "unknowns": {"en": "What the portfolio does not know", "zh": "组合尚未掌握的信息"},
    "method": {"en": "Appendix: method and sources", "zh": "附录：方法与数据来源"},
    "index": {"en": "CRM diagnostic batch", "zh": "CRM诊断批量运行"},
}

TEXT: dict[str, dict[str, str]] = {
    # cover
    "run": {"en": "Batch run", "zh": "批量运行编号"},
    "institutions_in_groups": {"en": "{n} institutions in {groups} peer groups", "zh": "{n}家机构，分属{groups}个同业组"},
    "panel": {"en": "Panel", "zh": "数据文件"},
    "complete_of": {"en": "{complete} of {n} institutions complete, {failed} failed", "zh": "{n}家机构中{complete}家完成，{failed}家失败"},
    "reports_complete": {"en": "Reports complete", "zh": "报告完成情况"},
    "all_complete": {"en": "All {n} reports complete", "zh": "{n}份报告全部完成"},
    # verdicts of the portfolio
    "summary_title": {"en": "The top {top} of institutions hold {share} of the value at stake; start with {n} institutions",
                      "zh": "价值空间前{top}的机构占组合合计的{share}；建议首批从{n}家机构启动"},
    "summary_title_data_first": {"en": "The top {top} of institutions hold {share} of the value at stake; fix the data of {m} "
                                       "institutions before a first wave",
                                 "zh": "价值空间前{top}的机构占组合合计的{share}；启动首批前须先修正{m}家机构的数据"},
    "summary_title_none": {"en": "The top {top} of institutions hold {share} of the value at stake; no programme pays back as scoped yet",
                           "zh": "价值空间前{top}的机构占组合合计的{share}；按当前范围暂无可收回投资的项目"},
    "verdict_wave": {"en": "Start with a first wave of {n} institutions whose programmes pay back and whose data carry a decision: "
                           "{benefit} a year of risk-adjusted benefit, {share} of the priority of all such institutions.",
                     "zh": "建议首批从{n}家机构启动：其项目可收回投资且数据足以支撑决策，风险调整后收益每年{benefit}，占此类机构优先级合计的{share}。"},
    "verdict_after_fix": {"en": " {m} more, with {benefit} a year, follow once their data are fixed.",
                          "zh": "另有{m}家（每年{benefit}）待数据修正后跟进。"},
    "verdict_data_first": {"en": "Fix the data first: no institution's data carry a decision yet; {m} institutions whose programmes pay "
                                 "back on the figures as given ({benefit} a year of risk-adjusted benefit) lead the queue once their data "
                                 "are fixed.",
                           "zh": "须先修正数据：尚无机构的数据足以支撑决策；按现有数据项目可收回投资的{m}家机构（风险调整后收益每年{benefit}）"
                                 "在数据修正后优先启动。"},
    "decision_data_first": {"en": "Decision requested: mandate the data owners of these {m} institutions to correct the flagged inputs "
                                  "within four weeks, then run the diagnostic again.",
                            "zh": "请管理层决策：责成上述{m}家机构的数据责任部门在四周内修正问题数据，随后重新运行诊断。"},
    "decision_and_fix": {"en": " and mandate the data owners of the {m} institutions awaiting a data fix to correct their inputs within "
                               "four weeks",
                         "zh": "，并责成待修正数据的{m}家机构的数据责任部门在四周内修正问题数据"},
    "verdict_none": {"en": "No programme pays back as scoped: re-scope before committing any wave.",
                     "zh": "按当前范围，没有机构的项目能够收回投资：在启动任何批次之前须重新界定项目范围。"},
    "verdict_empty": {"en": "No report completed: the portfolio has no results yet.", "zh": "没有报告运行完成，组合暂无结果。"},
    "decision_wave": {"en": "Decision requested: approve the first wave ({n} programmes, one-off and running cost {cost} over the "
                             "horizon, combined NPV {npv})",
                      "zh": "请管理层决策：批准首批{n}个项目（期内一次性投入与运营成本合计{cost}，净现值合计{npv}）"},
    "decision_none": {"en": "Decision requested: re-scope the programmes around the levers that pay back, and correct the flagged "
                             "inputs before the diagnostic is run again.",
                      "zh": "请管理层决策：围绕可收回投资的举措重新界定项目范围，并在重新运行诊断前修正被标注的问题数据。"},
    "rule": {"en": "Rule: candidates are the institutions whose programme pays back on the figures as given (economic verdict proceed "
                   "or pilot first), ranked by priority = risk-adjusted benefit a year × probability of a positive NPV × "
                   "data-quality score / 100. The first wave takes those whose data carry a decision in that order until it holds "
                   "{cover} of their total priority, at most {max} institutions; those whose data must be fixed first follow once "
                   "the fix confirms their case.",
             "zh": "规则：候选机构为按现有数据项目可收回投资的机构（经济性结论为建议实施或先行试点），按优先级排序，优先级＝年度风险调整后收益"
                   "×净现值为正的概率×数据质量得分÷100。首批从数据足以支撑决策的候选机构中依次纳入，直至覆盖其优先级合计的{cover}，最多{max}家；"
                   "须先修正数据的候选机构待修正结果确认后跟进。"},
    "concentration": {"en": "The top {top} of institutions ({count} of {n}) hold {share} of the value at stake; {half} institutions "
                            "hold half of it.",
                      "zh": "价值空间排名前{top}的机构（{n}家中的{count}家）占价值空间合计的{share}；{half}家机构即占一半。"},
    "totals_sentence": {"en": "Across the {n} complete reports: value at stake {vas} a year, risk-adjusted benefit {rab} a year, and "
                              "{positive} programmes with a positive NPV.",
                        "zh": "{n}份已完成报告合计：价值空间每年{vas}，风险调整后收益每年{rab}，净现值为正的项目{positive}个。"},
    "by_peer_group": {"en": "By peer group", "zh": "分同业组汇总"},
    "not_known": {"en": "What the portfolio does not know", "zh": "组合尚未掌握的信息"},
    "unknown_failed": {"en": "{n} of {total} reports did not complete (listed under What the portfolio does not know and in the "
                             "batch index).",
                       "zh": "{total}份报告中有{n}份未完成（详见“组合尚未掌握的信息”一节及批量运行索引页）。"},
    "unknown_not_decision_grade": {"en": "{share} of the value at stake rests on inputs that cannot yet carry a decision ({causes}).",
                                   "zh": "价值空间的{share}所依据的数据尚不足以支撑决策（{causes}）。"},
    "cause_incomplete": {"en": "{n} report fewer than half of the metrics", "zh": "{n}家报送指标不足一半"},
    "cause_quality": {"en": "{n} score below {limit} on data quality", "zh": "{n}家数据质量得分低于{limit}分"},
    "cause_inconsistent": {"en": "{n} break consistency rules", "zh": "{n}家未通过一致性校验"},
    "cause_implausible": {"en": "{n} fall outside the plausibility bounds", "zh": "{n}家测算结果超出合理性区间"},
    "unknown_baselines_all": {"en": "For every institution most benchmark comparisons rest on the methodology template or assumptions "
                                    "rather than public data (below {limit}).",
                              "zh": "全部{total}家机构的多数对标比较均基于方法模板或假设而非公开数据（公开数据占比低于{limit}）。"},
    "unknown_baselines": {"en": "For {n} of {total} institutions most benchmark comparisons rest on the methodology template or "
                                "assumptions rather than public data (below {limit}).",
                          "zh": "{total}家机构中有{n}家的多数对标比较基于方法模板或假设而非公开数据（公开数据占比低于{limit}）。"},
    "unknown_synthetic": {"en": "The peers of {n} institutions are synthetic (the bundled sample panel): the findings are illustrative.",
                          "zh": "{n}家机构的同业样本为模拟数据（随附示例），结论仅供演示。"},
    "unknown_none": {"en": "Every report completed, every input carries a decision and most benchmarks rest on public data.",
                     "zh": "全部报告均已完成，输入数据均足以支撑决策，多数基准值基于公开数据。"},
    # tables
    "institution": {"en": "Institution", "zh": "机构"},
    "institutions": {"en": "Institutions", "zh": "机构数"},
    "rank": {"en": "#", "zh": "序号"},
    "value_at_stake": {"en": "Value at stake ({unit} a year)", "zh": "价值空间（{unit}/年）"},
    "risk_adjusted_benefit": {"en": "Risk-adjusted benefit ({unit} a year)", "zh": "风险调整后收益（{unit}/年）"},
    "npv": {"en": "NPV ({unit})", "zh": "净现值（{unit}）"},
    "npv_positive": {"en": "NPV of programmes that pay back ({unit})", "zh": "可收回投资项目的净现值（{unit}）"},
    "irr": {"en": "IRR (%)", "zh": "内部收益率（%）"},
    "prob": {"en": "P(NPV > 0) (%)", "zh": "净现值为正的概率（%）"},
    "data_quality": {"en": "Data quality (0–100)", "zh": "数据质量（0—100分）"},
    "overall": {"en": "Overall score (0–100)", "zh": "综合得分（0—100分）"},
    "median_score": {"en": "Median overall score (0–100)", "zh": "综合得分中位数（0—100分）"},
    "score_short": {"en": "Score (0–100)", "zh": "得分（0—100分）"},
    "candidates": {"en": "Candidates", "zh": "候选机构"},
    "first_wave_n": {"en": "First wave", "zh": "首批"},
    "total": {"en": "Total", "zh": "合计"},
    "verdict": {"en": "Recommendation", "zh": "建议"},
    "peer_group": {"en": "Peer group", "zh": "同业组"},
    "reason": {"en": "What is not known", "zh": "未掌握的信息"},
    "share_of_value": {"en": "Share of value at stake (%)", "zh": "占价值空间比例（%）"},
    "examples": {"en": "Which (first listed)", "zh": "所涉机构"},
    "and_more": {"en": "and {n} more", "zh": "等，另有{n}家"},
    "status": {"en": "Status", "zh": "状态"},
    "error": {"en": "Error", "zh": "错误信息"},
    "dea": {"en": "DEA θ (CRS)", "zh": "DEA效率值θ（规模报酬不变）"},
    "position": {"en": "Position", "zh": "位置"},
    "most_efficient": {"en": "most efficient", "zh": "效率最高"},
    "least_efficient": {"en": "least efficient", "zh": "效率最低"},
    "cluster": {"en": "Cluster", "zh": "分群"},
    "largest_members": {"en": "Largest by value at stake", "zh": "价值空间最大的机构"},
    "left_out": {"en": "{n} institutions between these two ends are listed in the batch index (index.html), sortable by every column.",
                 "zh": "排名居中的{n}家机构见批量运行索引页（index.html），可按任一列排序。"},
    "full_list": {"en": "All {n} institutions.", "zh": "共{n}家机构。"},
    "source": {"en": "Source: {what}", "zh": "数据来源：{what}"},
    "source_summaries": {"en": "the per-institution summaries of batch run {run} ({n} complete reports)",
                         "zh": "批量运行{run}的各机构结果摘要（{n}份已完成报告）"},
    "source_panel": {"en": "the batch's panel {panel}, every institution forming each period's frontier",
                     "zh": "本批次的数据文件{panel}，各期前沿由全部机构构成"},
    # first wave section
    "wave_title": {"en": "The first wave: {n} institutions with {benefit} a year of risk-adjusted benefit and a combined NPV of {npv}",
                   "zh": "首批{n}家机构：风险调整后收益每年{benefit}，净现值合计{npv}"},
    "wave_title_none": {"en": "No institution qualifies for a first wave: no programme pays back as scoped",
                        "zh": "暂无机构符合首批条件：按当前范围没有项目能够收回投资"},
    "wave_share": {"en": "The wave holds {benefit} of the risk-adjusted benefit of the candidates whose data carry a decision ({share} "
                         "of their priority). Of the {n} complete reports, {ready} are such candidates and {fix} more await a data fix.",
                   "zh": "首批覆盖数据足以支撑决策的候选机构风险调整后收益的{benefit}（优先级的{share}）。{n}份已完成报告中，此类候选机构{ready}家，"
                         "另有{fix}家待数据修正。"},
    "wave_title_data_first": {"en": "No institution is ready for a first wave: the {m} whose programmes pay back must fix their data first",
                              "zh": "暂无机构可进入首批：项目可收回投资的{m}家机构须先修正数据"},
    "wave_data_note": {"en": "Candidates marked “fix data first”: their inputs are incomplete, break consistency rules or fall "
                             "outside the plausibility bounds; each corrects them within the four weeks its report asks for, and the "
                             "diagnostic is run again before a budget is released.",
                       "zh": "标注为“先修正数据”的候选机构，其输入数据不完整、未通过一致性校验或超出合理性区间：须按报告要求在四周内修正"
                             "并重新运行诊断，再拨付预算。"},
    "next_candidates": {"en": "Next candidates, by priority", "zh": "后续候选机构（按优先级）"},
    "largest_no_case": {"en": "The largest values at stake, and why their programmes do not pay back as scoped",
                        "zh": "价值空间最大的机构及其项目无法收回投资的原因"},
    # matrix
    "matrix_title": {"en": "{n} institutions combine an above-median value at stake with a case likely to pay back",
                     "zh": "{n}家机构兼具高于中位数的价值空间与大概率可收回投资的项目"},
    "matrix_intro": {"en": "Each dot is an institution: its value at stake a year (log scale) against the probability that its "
                           "programme has a positive NPV (the readiness of its case). The lines are the portfolio's median value at "
                           "stake and a 50% probability; the first wave, chosen from the candidates by the rule on the first-wave page, is numbered.",
                     "zh": "每个点代表一家机构：纵轴为年度价值空间（对数刻度），横轴为其项目净现值为正的概率（即项目论证的成熟度）。两条分界线分别为"
                           "组合价值空间中位数与50%的概率；首批机构（按首批规则从候选机构中选出）已标注编号。"},
    "x_axis": {"en": "Probability of a positive NPV (%)", "zh": "净现值为正的概率（%）"},
    "q_first": {"en": "Large value, likely to pay back: start here", "zh": "价值大、可收回：优先启动"},
    "q_rescope": {"en": "Large value, unproven case: re-scope or fix data", "zh": "价值大、论证不足：重新界定范围或修正数据"},
    "q_follow": {"en": "Smaller value, likely to pay back: later waves", "zh": "价值较小、可收回：后续批次"},
    "q_monitor": {"en": "Smaller value, unproven case: monitor", "zh": "价值较小、论证不足：持续观察"},
    "first_wave_legend": {"en": "First wave", "zh": "首批机构"},
    "ready_legend": {"en": "Data carry a decision", "zh": "数据足以支撑决策"},
    "data_legend": {"en": "Data to be fixed first", "zh": "须先修正数据"},
    "concentration_curve": {"en": "Concentration of value at stake", "zh": "价值空间集中度"},
    "curve_x": {"en": "Share of institutions, largest value first (%)", "zh": "机构占比（按价值空间由大到小，%）"},
    "curve_y": {"en": "Cumulative share of value at stake (%)", "zh": "价值空间累计占比（%）"},
    "curve_top": {"en": "top {count}: {share}", "zh": "前{count}家：{share}"},
    "curve_even": {"en": "Even spread", "zh": "均匀分布"},
    # peer groups
    "groups_title": {"en": "Peer groups differ most in {dimension}: medians from {low} to {high}",
                     "zh": "各同业组差异最大的维度是{dimension}：中位数从{low}分到{high}分"},
    "groups_title_one": {"en": "One peer group: {group}", "zh": "本组合仅含一个同业组：{group}"},
    "groups_intro": {"en": "Each box is the interquartile range of a peer group's scores (line: median; whiskers: 1.5 × the "
                           "interquartile range); 50 is the peer median of every metric.",
                     "zh": "每个方框为该同业组得分的四分位区间（中线为中位数，须线为1.5倍四分位距）；50分相当于各指标的同业中位数。"},
    "median_by_group": {"en": "Median scores by peer group (0–100)", "zh": "各同业组得分中位数（0—100分）"},
    # clusters
    "clusters_title": {"en": "{k} groups of similar institutions; the largest ({n} institutions) scores {profile}",
                       "zh": "机构可分为{k}个相似群组；最大群组（{n}家）{profile}"},
    "profile": {"en": "Profile against the portfolio's mean", "zh": "相对组合平均水平的特征"},
    "profile_above": {"en": "above the portfolio's mean on every dimension, most in {dimension}",
                      "zh": "各维度均高于组合平均水平，{dimension}领先最多"},
    "profile_below": {"en": "below the portfolio's mean on every dimension, most in {dimension}",
                      "zh": "各维度均低于组合平均水平，{dimension}差距最大"},
    "profile_mixed": {"en": "strong in {strong}, weak in {weak}", "zh": "{strong}相对领先，{weak}相对落后"},
    "clusters_none": {"en": "Too few institutions to form clusters ({n} with all six scores; {min} needed)",
                      "zh": "机构数量不足，未进行分群（六项维度得分齐全的机构{n}家，至少需要{min}家）"},
    "clusters_method": {"en": "Method: Ward's hierarchical clustering of the six dimension scores (0–100, unscaled), cut at 2 to {kmax} "
                              "clusters; {k} clusters give the highest mean silhouette ({s}: how much closer each institution is to its "
                              "own cluster than to the next, from −1 to 1). Strongest and weakest are relative to the portfolio's mean.",
                        "zh": "方法：对六项维度得分（0—100分，未标准化）进行离差平方和法层次聚类，分别切分为2至{kmax}个群组；{k}个群组的平均轮廓系数"
                              "最高（{s}；轮廓系数衡量机构与本群组的接近程度相对于最近的其他群组，取值−1至1）。相对优势与短板均相对组合平均水平而言。"},
    "clusters_sampled": {"en": " The clusters were formed on a sample of {m} institutions (seed {seed}); the others joined the nearest "
                               "cluster centre.",
                         "zh": "聚类基于{m}家机构的抽样（随机种子{seed}）形成，其余机构归入最近的群组中心。"},
    "clusters_left_out": {"en": " {n} complete reports lack a dimension score and are not clustered.",
                          "zh": "{n}份已完成报告缺少维度得分，未参与分群。"},
    "profile_title": {"en": "Mean scores by cluster", "zh": "各群组平均得分"},
    "silhouette_title": {"en": "Silhouette by\nnumber of clusters", "zh": "不同群组数的\n平均轮廓系数"},
    "clusters_axis": {"en": "Clusters", "zh": "群组数"},
    "silhouette_axis": {"en": "Mean silhouette", "zh": "平均轮廓系数"},
    # rankings
    "rankings_title": {"en": "{best} leads the portfolio with an overall score of {high}; {worst} trails it at {low}",
                       "zh": "{best}综合得分{high}分，居组合首位；{worst}得分{low}分，居末位"},
    "league": {"en": "League table by overall score", "zh": "综合得分排名"},
    "weakest_score": {"en": "Weakest dimension (score)", "zh": "最弱维度（得分）"},
    "method_title": {"en": "Method and sources", "zh": "方法与数据来源"},
    "top_bottom": {"en": "Top and bottom {n} by overall score", "zh": "综合得分前{n}名与后{n}名"},
    "frontier_extremes": {"en": "Frontier efficiency: the most and least efficient", "zh": "前沿效率：效率最高与最低的机构"},
    # productivity
    "productivity_title": {"en": "{up} of {n} institutions grew CRM productivity from {first} to {last}",
                           "zh": "{first}年至{last}年，{n}家机构中有{up}家的CRM生产率提升"},
    "productivity_intro": {"en": "Malmquist productivity index of the CRM production model (CRM cost and employees for customers and "
                                 "revenue) from {first} to {last}; M > 1 is growth, M = efficiency change (catching up with the "
                                 "frontier) × technical change (the frontier itself moving).",
                           "zh": "CRM生产模型（以CRM成本和员工数投入，获得客户数和营业收入）自{first}年至{last}年的Malmquist生产率指数；M大于1表示"
                                 "生产率提升，M＝效率变化（向前沿追赶）×技术变化（前沿本身移动）。"},
    "m": {"en": "Malmquist index M", "zh": "Malmquist指数M"},
    "ec": {"en": "Efficiency change", "zh": "效率变化"},
    "tc": {"en": "Technical change", "zh": "技术变化"},
    "ec_axis": {"en": "Efficiency change (catching up)", "zh": "效率变化（追赶前沿）"},
    "tc_axis": {"en": "Technical change (frontier shift)", "zh": "技术变化（前沿移动）"},
    "others": {"en": "Other institutions of the panel", "zh": "数据文件中的其他机构"},
    "in_batch": {"en": "In this batch", "zh": "本批次机构"},
    "catch_up_frontier_up": {"en": "catching up, frontier advancing", "zh": "追赶前沿，前沿前移"},
    "fall_behind_frontier_up": {"en": "falling behind an advancing frontier", "zh": "落后于前移的前沿"},
    "catch_up_frontier_down": {"en": "catching up, frontier receding", "zh": "追赶前沿，前沿后退"},
    "fall_behind_frontier_down": {"en": "falling behind, frontier receding", "zh": "落后，前沿后退"},
    "quadrant_title": {"en": "Productivity change {first}→{last}", "zh": "{first}年至{last}年生产率变化"},
    # unknowns
    "unknowns_title": {"en": "{share} of the value at stake rests on inputs that cannot yet carry a decision",
                       "zh": "价值空间的{share}所依据的数据尚不足以支撑决策"},
    "unknowns_title_failed": {"en": "{n} reports did not complete; the rest rest on inputs that carry a decision",
                              "zh": "{n}份报告未完成；其余报告的数据足以支撑决策"},
    "unknowns_title_clean": {"en": "Every report completed on inputs that carry a decision",
                             "zh": "全部报告均已完成，输入数据足以支撑决策"},
    "r_failed": {"en": "Report did not complete", "zh": "报告未完成"},
    "r_incomplete": {"en": "Fewer than half of the metrics reported", "zh": "报送指标不足一半"},
    "r_poor_data": {"en": "Data-quality score below {limit}", "zh": "数据质量得分低于{limit}分"},
    "r_inconsistent": {"en": "Input breaks a consistency rule", "zh": "输入数据未通过一致性校验"},
    "r_implausible": {"en": "Economics outside the plausibility bounds", "zh": "测算结果超出合理性区间"},
    "r_assumed": {"en": "Benchmarks mostly template or assumption", "zh": "基准值主要来自方法模板或假设"},
    "r_synthetic": {"en": "Synthetic peers (sample panel)", "zh": "同业样本为模拟数据"},
    "failures": {"en": "Reports that did not complete", "zh": "未完成的报告"},
    "failures_more": {"en": "{n} more failures are listed in the batch index (index.html) and manifest.csv.",
                      "zh": "其余{n}份未完成报告见批量运行索引页（index.html）及运行清单（manifest.csv）。"},
    "no_failures": {"en": "Every report completed.", "zh": "全部报告均已完成。"},
    # method
    "method_items": {"en": "Every figure comes from the per-institution summaries (summary.json) of the batch run; no analysis is run "
                           "again. Value at stake and risk-adjusted benefit are annual flows at full run-rate; NPV and cost are over the "
                           "report's horizon.|"
                           "Concentration: the share of the portfolio's value at stake held by the top {top} of institutions ranked by "
                           "value at stake (at least one institution).|"
                           "First wave: {rule}|"
                           "Verdicts follow the client report's rule: fix the data first below a data-quality score of {dq}, with fewer than half "
                           "of the metrics reported, a broken consistency rule or outside the plausibility bounds; otherwise do not "
                           "proceed, pilot first or proceed by the NPV, its probability, the downside and the payback.|"
                           "Rankings list every institution up to {limit}; beyond that the top and bottom {ends}.|"
                           "Benchmarks: peer percentiles from the batch's panel where at least 10 peers report a metric, otherwise the "
                           "baseline quantiles of data/baselines.csv, each flagged public, template or assumption.|"
                           "Money: one unit per table or chart (CNY m, or CNY bn from CNY 10bn).",
                     "zh": "全部数据取自本批次各机构的结果摘要（summary.json），不重新运行任何分析。价值空间与风险调整后收益为满负荷运行时的年度流量；"
                           "净现值与成本为报告测算期内的合计。|"
                           "集中度：按价值空间排序，前{top}机构（至少一家）所占组合价值空间的比例。|"
                           "首批：{rule}|"
                           "各机构建议沿用单机构报告的规则：数据质量得分低于{dq}分、报送指标不足一半、未通过一致性校验或超出合理性区间时须先修正数据；否则按净现值、其为正的概率、"
                           "悲观情景与投资回收期，分别给出不建议实施、先行试点或建议实施。|"
                           "排名：机构不超过{limit}家时全部列出，超过时列出前{ends}名与后{ends}名。|"
                           "基准：同业组报送某项指标的机构不少于10家时按本批次数据计算同业百分位，否则采用基准数据表中的分位数，并逐项标注公开数据、"
                           "方法模板或假设。|"
                           "金额：每张表或图使用一个单位（万元；10亿元以上用亿元）。"},
    # index
    "index_intro": {"en": "{ok} of {n} reports complete.", "zh": "{n}份报告中{ok}份已完成。"},
    "index_wave": {"en": "First wave: {n} institutions (see the portfolio summary for the rule).", "zh": "首批实施机构{n}家（规则见机构组合汇总报告）。"},
    "portfolio_link": {"en": "Portfolio summary", "zh": "机构组合汇总报告"},
    "search": {"en": "Search id or name", "zh": "搜索机构编号或名称"},
    "all": {"en": "All", "zh": "全部"},
    "showing": {"en": "Showing", "zh": "显示"},
    "of_rows": {"en": "of", "zh": "/"},
    "reports": {"en": "Reports", "zh": "报告"},
    "seconds": {"en": "Seconds", "zh": "耗时（秒）"},
    "details": {"en": "details", "zh": "详情"},
    "notebook": {"en": "executed notebook", "zh": "执行记录"},
    "then": {"en": "{first}, then {then}", "zh": "{first}，之后{then}"},
    "wave_only": {"en": "First wave only", "zh": "仅显示首批机构"},
    "sort_hint": {"en": "Click a column header to sort; type or choose to filter.", "zh": "点击列标题排序；输入或选择条件进行筛选。"},
    "no_script": {"en": "Sorting and filtering need JavaScript; the table below is complete.", "zh": "排序与筛选需要启用脚本；下表内容完整。"},
    # statuses
    "ok": {"en": "ok", "zh": "完成"}, "failed": {"en": "failed", "zh": "失败"}, "timeout": {"en": "timeout", "zh": "超时"},
    "kernel_died": {"en": "kernel_died", "zh": "内核中止"}, "pending": {"en": "pending", "zh": "待运行"},
    # review portfolio
    "review_title": {"en": "{improved} of {n} institutions improved their overall score from {baseline} to {review}",
                     "zh": "{baseline}年至{review}年，{n}家机构中有{improved}家综合得分提升"},
    "review_intro": {"en": "Progress reviews of {n} institutions: overall score at the baseline and in the review period, KPI alerts "
                           "(red, amber, green), Malmquist productivity index and, where actuals were given, the share of the planned "
                           "benefits realised and the NPV revised with the actuals.",
                     "zh": "{n}家机构的项目进展评估：基线期与本期的综合得分、关键指标预警（红灯、黄灯、绿灯）、Malmquist生产率指数，以及提供实际数据的"
                           "机构的收益实现率与按实际数据修订的净现值。"},
    "review_benefits": {"en": "{behind} of {with_actuals} institutions with actuals have realised less than 90% of their planned "
                              "benefits.",
                        "zh": "提供实际数据的{with_actuals}家机构中，有{behind}家的收益实现率低于计划的90%。"},
    "score_baseline": {"en": "Overall score, baseline", "zh": "基线期综合得分"},
    "score_review": {"en": "Overall score, review", "zh": "本期综合得分"},
    "score_change": {"en": "Change (points)", "zh": "变化（分）"},
    "kpis_red": {"en": "Red KPIs", "zh": "红灯指标数"},
    "realisation": {"en": "Benefits realised (%)", "zh": "收益实现率（%）"},
    "revised_npv": {"en": "Revised NPV ({unit})", "zh": "修订后净现值（{unit}）"},
    "review_ranking": {"en": "Largest and smallest score changes", "zh": "得分变化最大与最小的机构"},
}

VERDICT_LABELS: dict[str, dict[str, str]] = {
    "proceed": {"en": "Proceed", "zh": "建议实施"}, "pilot_first": {"en": "Pilot first", "zh": "先行试点"},
    "do_not_proceed": {"en": "Do not proceed", "zh": "不建议实施"}, "fix_data_first": {"en": "Fix data first", "zh": "先修正数据"},
    "": {"en": "–", "zh": "–"},
}


def t(key: str, language: str, **fields: object) -> str:
    """A portfolio text in the report's language, with ``fields`` filled in.

    Examples
    --------
    >>> t("institutions_in_groups", "zh", n=62, groups=5)
    '62家机构，分属5个同业组'
    """
    text = TEXT[key][check_language(language)]
    text = text.format(**fields) if fields else text
    return _singular(text) if language == "en" else text


def _singular(text: str) -> str:
    """English: one institution, one programme, one report (the texts are
    written for many).

    Examples
    --------
    >>> _singular("Start with 1 institutions; 11 institutions; 1 programmes")
    'Start with 1 institution; 11 institutions; 1 programme'
    """
    return re.sub(r"(?<![\d.,])1 (institution|programme|report|cluster)s\b", r"1 \1", text)


def heading(key: str, language: str) -> str:
    """A portfolio section's name (the kicker above its action title).

    Examples
    --------
    >>> heading("first_wave", "zh")
    '首批实施机构'
    """
    return TITLES[key][check_language(language)]


def verdict_label(verdict: str, language: str) -> str:
    """A report's verdict in a few words.

    Examples
    --------
    >>> verdict_label("pilot_first", "zh")
    '先行试点'
    """
    return VERDICT_LABELS.get(verdict, {"en": verdict, "zh": verdict})[check_language(language)]


def verdict_text(verdict: str, economic: str, language: str) -> str:
    """A report's verdict, with what the economics point to when the data
    must be fixed first and the programme pays back on the figures as given.

    Examples
    --------
    >>> verdict_text("fix_data_first", "pilot_first", "en"), verdict_text("fix_data_first", "pilot_first", "zh")
    ('Fix data first, then pilot first', '先修正数据，之后先行试点')
    >>> verdict_text("proceed", "proceed", "en")
    'Proceed'
    """
    shown = verdict_label(verdict, language)
    if verdict == "fix_data_first" and economic in ("proceed", "pilot_first"):
        then = verdict_label(economic, language)
        shown = t("then", language, first=shown, then=then.lower() if language == "en" else then)
    return shown
