"""The client report: the typed run parameters, the whole diagnostic of one
institution (:func:`run_diagnostic`), findings and narrative in English or
Chinese, the Chinese fonts, house-style charts, the section renderers, the HTML/PDF export and
the summary read by batches, and the notebook builder.

Takes: every earlier stage. Gives: a :class:`Diagnostic`, report sections,
HTML and PDF files, ``summary.json``.
"""

from analysis_lib._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "charts": (
        "PALETTE", "RAG_COLOURS", "WIDTH", "apply_style", "radar", "peer_distributions", "frontier_scores", "waterfall",
        "priority_matrix", "cash_flows", "tornado", "npv_distribution", "gantt", "risk_heat_map", "retention_curve",
        "fit", "figure_svg", "figure_png",
    ),
    "diagnostic": (
        "STAMPED_PACKAGES", "Diagnostic", "record_summary", "run_diagnostic",
    ),
    "export": (
        "ROOT", "NOTEBOOK", "TEMPLATE_DIR", "REMOVED_TAGS", "INTERNAL_DIR", "KERNEL_ARGUMENTS", "BROWSER_ENV", "BROWSER_NAMES", "CHROMIUM_ARGS",
        "NO_BROWSER_HELP", "NotebookExecutionError", "ReportFiles", "partial_path", "atomic_write_bytes", "execute_notebook", "client_html_exporter",
        "notebook_to_html", "find_browser", "PdfPrinter", "render_report",
    ),
    "fonts": (
        "CHART_FAMILIES", "PDF_FAMILIES", "MissingFontError", "cjk_font_files", "register_cjk_fonts", "find_cjk_font", "cjk_font",
        "chart_cjk_font", "pdf_cjk_fonts",
    ),
    "economics": (
        "BRIDGE_STEPS", "bridge_table", "plausibility_block", "not_recommended_block", "value_chain_section", "programme_block", "benefit_lines_block",
        "cost_lines_block", "median_sentence", "workstreams_block", "resource_plan_block", "methodology_block",
        "consistency_block", "RULE_LABELS_ZH", "RULE_EXPECTED_ZH", "rule_label", "extract_notes_zh",
    ),
    "narrative": ("MAX_FINDINGS", "Finding", "findings", "render"),
    "notebook_builder": ("NOTEBOOK_DIR", "KERNELSPEC", "diagnostic_notebook", "portfolio_notebook", "NOTEBOOKS", "write_notebooks"),
    "parameters": ("Spec", "SPECS", "specs", "validate_parameters", "resolve_input_path", "parameters_cell_source"),
    "recommendation": ("Evidence", "Recommendation", "recommend", "conditions", "headline", "decision"),
    "rendering": (
        "SECTION_ORDER", "FIGURE_DPI", "DRIVER_LABELS", "esc", "figure_html", "table_html", "cover", "executive_summary", "scorecard", "positioning",
        "frontier", "expectations", "gaps", "value_chain", "initiatives", "business_case", "option_value", "roadmap", "risk", "customers", "data_quality",
        "methodology", "reproducibility", "section_html", "show",
    ),
    "summary": ("SUMMARY_MIMETYPE", "read_summary"),
    "text": (
        "WORDS", "UNITS", "TARGET_SETS", "unit_label", "target_set_label", "check_language", "title", "word", "dimension_label", "peer_group_label",
        "money_m", "percent", "format_value",
    ),
})
