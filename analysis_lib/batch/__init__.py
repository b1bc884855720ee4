"""Many institutions at once: the batch runner (local processes or Dask), warm
kernels forked per report, and the portfolio summary across a run.

Takes: a panel and report parameters. Gives: a run folder with one report
per institution, a manifest, an index and the portfolio summary.
"""

from analysis_lib._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "kernel_launcher": ("FORWARDED",),
    "kernels": (
        "LAUNCHER", "PRELOAD", "LISTENING", "READY", "START_TIMEOUT", "INLINE_BACKEND", "available", "WarmKernelServer", "manager_class",
        "WarmKernelManager",
    ),
    "portfolio": ("ROOT", "NOTEBOOK", "Portfolio", "TEXT_FIELDS", "load_portfolio", "section", "show", "render_portfolio"),
    "runner": (
        "MANIFEST_COLUMNS", "STATUSES", "KERNEL_START_RETRIES", "COLD_KERNELS_ENV", "Task", "Outcome", "BROWSER_RECYCLE", "warm_kernels_wanted",
        "run_task", "BatchInterrupted", "BatchResult", "select_institutions", "plan_folders", "read_manifest", "write_manifest", "write_index",
        "Progress", "run_batch",
    ),
})
