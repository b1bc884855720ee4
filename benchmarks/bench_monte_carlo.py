"""Monte Carlo speed: 100,000 draws x 10 years, vectorised, against a
per-draw numpy-financial loop on the same draws.

Targets (2-core machine): vectorised run <= 0.5 s; speed ratio >= 50x.
The programme's Monte Carlo (per benefit line, with delay, overrun,
adoption, baseline and discount-rate draws) of the CITY-02 report, 20,000
draws as in a report: <= 0.5 s.
Run: .venv/bin/python benchmarks/bench_monte_carlo.py
"""

from __future__ import annotations

import time

import numpy as np
import numpy_financial as npf

from analysis_lib.roi.business_case import BusinessCaseInputs, cash_flow_matrix, discount_factors
from analysis_lib.roi.simulation import Distribution, simulate, vectorised_irr

DRAWS = 100_000
LOOP_SAMPLE = 5_000  # the per-draw loop is timed on a sample and scaled up


def main() -> None:
    inputs = BusinessCaseInputs(annual_benefit=70e6, total_budget=200e6, horizon_years=10)
    dists = {
        "annual_benefit": Distribution("pert", (40e6, 70e6, 110e6)),
        "total_budget": Distribution("triangular", (170e6, 200e6, 260e6)),
        "benefit_realisation": Distribution("uniform", (0.6, 0.95)),
        "discount_rate": Distribution("normal", (0.08, 0.01)),
    }
    simulate(inputs, dists, n=1000, seed=0)  # warm-up (imports, scipy ppf set-up)
    start = time.perf_counter()
    result = simulate(inputs, dists, n=DRAWS, seed=42)
    vectorised = time.perf_counter() - start

    draws = result.draws
    flows = cash_flow_matrix(inputs, {k: draws[k].to_numpy() for k in dists})["net"]
    rates = draws["discount_rate"].to_numpy()
    start = time.perf_counter()
    loop_npv = np.array([npf.npv(rates[i], flows[i]) for i in range(LOOP_SAMPLE)])
    loop_irr = np.array([npf.irr(flows[i]) for i in range(LOOP_SAMPLE)])
    loop = (time.perf_counter() - start) * DRAWS / LOOP_SAMPLE
    start = time.perf_counter()
    npv = (flows * discount_factors(inputs, rates)).sum(axis=1)
    irr = vectorised_irr(flows)
    evaluation = time.perf_counter() - start
    assert np.allclose(irr, result.irr, equal_nan=True) and np.allclose(npv, result.npv)
    assert np.allclose(loop_npv, (flows[:LOOP_SAMPLE] * discount_factors(inputs, rates[:LOOP_SAMPLE])).sum(axis=1))
    assert np.allclose(loop_irr, result.irr[:LOOP_SAMPLE], atol=1e-8, equal_nan=True)

    print(f"Monte Carlo, {DRAWS:,} draws x {inputs.horizon_years} years (NPV, IRR, payback)")
    print(f"  end to end (draws + flows + NPV, IRR, payback): {vectorised:8.3f} s   (target <= 0.5 s)")
    print(f"  NPV + IRR on the same flows, vectorised:        {evaluation:8.3f} s")
    print(f"  NPV + IRR per draw with numpy-financial:        {loop:8.3f} s   (timed on {LOOP_SAMPLE:,} draws, scaled)")
    print(f"  speed ratio on the same draws:                  {loop / evaluation:8.1f} x   (target >= 50 x)")
    print(f"  speed ratio, end to end vs the loop:            {loop / vectorised:8.1f} x")
    print(f"  P(NPV > 0) = {result.prob_npv_positive:.3f}")
    programme()


def programme() -> None:
    """The report's programme Monte Carlo on the CITY-02 value chain."""
    from analysis_lib.gaps.value_chain import target_spread
    from analysis_lib.report.diagnostic import run_diagnostic
    from analysis_lib.roi.uncertainty import simulate_programme

    diag = run_diagnostic(institution_id="CITY-02", mc_draws=1000)
    spread = target_spread(diag.gaps, diag.panel.latest().data, diag.peer_group, diag.value_chain.levers.index)
    lines = len(diag.value_chain.lines)
    for draws in (20_000, DRAWS):
        start = time.perf_counter()
        result = simulate_programme(diag.value_chain, diag.case_inputs, spread, n=draws, seed=42)
        elapsed = time.perf_counter() - start
        target = "   (target <= 0.5 s)" if draws == 20_000 else ""
        print(f"Programme Monte Carlo, CITY-02 ({lines} benefit lines, {len(result.draws.columns)} drivers), {draws:,} draws: "
              f"{elapsed:.3f} s{target}")


if __name__ == "__main__":
    main()
