"""Many institutions at once: the batch runner (local processes or Dask), warm
kernels forked per report, and the portfolio summary across a run.

Takes: a panel and report parameters. Gives: a run folder with one report
per institution, a manifest, a sortable index and the portfolio summary
(first wave, concentration, clusters) read from the reports' summaries.
"""

from analysis_lib._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "kernel_launcher": ("FORWARDED",),
    "kernels": (
        "LAUNCHER", "PRELOAD", "LISTENING", "READY", "START_TIMEOUT", "INLINE_BACKEND", "available", "WarmKernelServer", "manager_class",
        "WarmKernelManager",
    ),
    "portfolio": ("ROOT", "NOTEBOOK", "Portfolio", "TEXT_FIELDS", "load_portfolio", "summary_frame", "first_wave", "FirstWave", "concentration",
                  "Concentration", "by_peer_group", "unknowns", "clusters", "Clusters", "ranking", "section", "show", "render_portfolio"),
    "portfolio_report": ("SECTION_ORDER", "section_html"),
    "index_page": ("index_html", "write_index_page"),
    "synthetic_run": ("synthetic_summaries", "write_synthetic_run"),
    "runner": (
        "MANIFEST_COLUMNS", "STATUSES", "KERNEL_START_RETRIES", "COLD_KERNELS_ENV", "Task", "Outcome", "BROWSER_RECYCLE", "warm_kernels_wanted",
        "run_task", "BatchInterrupted", "BatchResult", "select_institutions", "plan_folders", "read_manifest", "write_manifest", "write_index",
        "Progress", "run_batch",
    ),
})
