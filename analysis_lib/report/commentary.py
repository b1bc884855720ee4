"""The consultant's commentary: what the interviews and workshops found
(evidence, root causes, client context), written in Markdown beside the
quantitative analysis and merged into the report's sections, visibly marked
as the consultant's.

A commentary file holds one part per report section, each under a level-2
heading that is the section's id (:data:`rendering.SECTION_ORDER`)::

    # CITY-02: interview findings          (an optional title and preamble, not shown)

    ## executive_summary
    Three of five branch heads said the **call-centre CRM** is not used ...

    ## gaps
    - Retention: relationship managers cover 1,900 customers each ...

An unknown section id is refused (with the valid ones) before a kernel
starts. Markdown is rendered with mistune with raw HTML escaped, unsafe link
schemes neutralised and images shown as their alt text (the report needs no
network), so nothing in a commentary can add markup or script to the
report. A batch takes a folder of such files, one per institution,
``<institution id>.md`` (or ``<institution id>.<language>.md`` for one
edition).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from analysis_lib.errors import ParameterError

LABEL = {"en": "Consultant's commentary (from interviews and workshops; not part of the quantitative analysis)",
         "zh": "顾问评述（来自访谈与研讨，非量化分析结果）"}
"""The mark every commentary block carries, in the report's language."""
SHORT_LABEL = {"en": "Consultant's commentary", "zh": "顾问评述"}
EXCLUDED = ("cover",)
"""Sections that take no commentary (the cover stays the client's facts only)."""
_HEADING = re.compile(r"^##(?!#)\s*(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def commentary_sections() -> tuple[str, ...]:
    """Section ids a commentary may address, in report order.

    Examples
    --------
    >>> commentary_sections()[:3]
    ('executive_summary', 'scorecard', 'positioning')
    """
    from analysis_lib.report.rendering import SECTION_ORDER

    return tuple(k for k in SECTION_ORDER if k not in EXCLUDED)


@dataclass(frozen=True)
class Commentary:
    """A parsed commentary file: Markdown text by section id."""

    path: str
    parts: dict[str, str]

    def for_section(self, key: str) -> str:
        return self.parts.get(key, "")


def parse_commentary(text: str, source: str = "commentary") -> Commentary:
    """Split a commentary's Markdown into its sections.

    Raises
    ------
    ParameterError
        For text before the first section heading, an unknown or repeated
        section id (the message names the file, the line and the valid ids).

    Examples
    --------
    >>> parse_commentary("# Notes\\n\\n## gaps\\nRetention is the gap.\\n").parts
    {'gaps': 'Retention is the gap.'}
    >>> parse_commentary("## gapz\\ntext", "c.md")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    analysis_lib.errors.ParameterError: c.md, line 1: unknown section 'gapz' (did you mean 'gaps'?); a commentary's headings \
must be section ids: executive_summary, scorecard, positioning, ..., glossary, reproducibility
    """
    import difflib

    valid = commentary_sections()
    parts: dict[str, list[str]] = {}
    current: str | None = None
    fenced = False
    titled = False  # under a '# title', text before the first section is the file's own preamble (not shown)
    for number, line in enumerate(text.splitlines(), start=1):
        if _FENCE.match(line):
            fenced = not fenced
        heading = None if fenced else _HEADING.match(line)
        if heading:
            key = heading.group(1).strip().lower()
            if key not in valid:
                close = difflib.get_close_matches(key, valid, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ParameterError(f"{source}, line {number}: unknown section {key!r}{hint}; a commentary's headings must be section ids: "
                                     f"{', '.join(valid)}")
            if key in parts:
                raise ParameterError(f"{source}, line {number}: section {key!r} appears twice; write each section's commentary once")
            parts[key], current = [], key
        elif current is not None:
            parts[current].append(line)
        elif line.startswith("# ") and not fenced:
            titled = True
        elif line.strip() and not titled:
            raise ParameterError(f"{source}, line {number}: text before the first section heading; start each part with "
                                 "'## <section id>', e.g. '## executive_summary'")
    return Commentary(source, {k: "\n".join(v).strip() for k, v in parts.items() if "\n".join(v).strip()})


def read_commentary(path: str | Path) -> Commentary:
    """Read and check a commentary file (UTF-8).

    Raises
    ------
    ParameterError
        When the file is missing, not UTF-8 text, or has a heading that is
        not a section id.
    """
    path = Path(path)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        raise ParameterError(f"parameter 'commentary': file not found: {path}") from None
    return _read_cached(str(path), stamp)


@lru_cache(maxsize=8)
def _read_cached(path: str, stamp: int) -> Commentary:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParameterError(f"{path}: not UTF-8 text (byte {exc.start}); save the commentary as UTF-8") from None
    except OSError as exc:
        raise ParameterError(f"{path}: cannot read the commentary: {exc.strerror}") from None
    return parse_commentary(text, path)


@lru_cache(maxsize=1)
def _markdown():
    import mistune

    class SafeRenderer(mistune.HTMLRenderer):
        """Raw HTML escaped (``escape=True``); images as their alt text, so
        that a report never fetches anything; headings below the report's
        own section headings."""

        def image(self, text: str, url: str, title: str | None = None) -> str:
            return f"<span>{text}</span>"

        def heading(self, text: str, level: int, **attrs) -> str:
            return f"<h4>{text}</h4>\n"

    return mistune.create_markdown(renderer=SafeRenderer(escape=True), plugins=["strikethrough", "table"])


def markdown_html(text: str) -> str:
    """Commentary Markdown as safe HTML.

    Examples
    --------
    >>> markdown_html("**Root cause:** <script>alert(1)</script>")
    '<p><strong>Root cause:</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>\\n'
    >>> markdown_html("[site](javascript:alert(1))")
    '<p><a href="#harmful-link">site</a></p>\\n'
    """
    return _markdown()(text)


def commentary_block(text: str, language: str) -> str:
    """One section's commentary as a marked block of the report."""
    return (f'<aside class="commentary"><p class="commentary-label">{html.escape(LABEL[language])}</p>'
            f"{markdown_html(text)}</aside>")


def with_commentary(section: str, diag, key: str) -> str:
    """A section's HTML with the consultant's commentary on it appended
    (unchanged when there is none, or when the section is not shown)."""
    path = diag.params.get("commentary") or ""
    if not path or not section:
        return section
    text = read_commentary(path).for_section(key)
    if not text:
        return section
    block = commentary_block(text, diag.language)
    head, sep, tail = section.rpartition("</section>")
    return head + block + sep + tail if sep else section + block


def plain_text(text: str) -> str:
    """A commentary's Markdown as plain text (for a slide): paragraphs on
    their own lines, list items with a bullet, markup dropped.

    Examples
    --------
    >>> plain_text("Interviews found **two** causes:\\n\\n- old tools\\n- no owner")
    'Interviews found two causes:\\n• old tools\\n• no owner'
    """
    import mistune

    tokens = mistune.create_markdown(renderer=None, plugins=["strikethrough", "table"])(text)
    lines: list[str] = []

    def inline(children) -> str:
        out = []
        for child in children or []:
            if "raw" in child:
                out.append(child["raw"])
            elif child.get("type") in ("linebreak", "softbreak"):
                out.append(" ")
            else:
                out.append(inline(child.get("children")))
        return "".join(out)

    def walk(nodes, bullet: str = "") -> None:
        for node in nodes:
            kind = node.get("type")
            if kind in ("paragraph", "heading", "block_text"):
                lines.append(bullet + inline(node.get("children")).strip())
                bullet = ""
            elif kind == "list":
                for item in node.get("children", []):
                    walk(item.get("children", []), "• ")
            elif kind == "block_code":
                lines.append(node.get("raw", "").strip())
            elif node.get("children"):
                walk(node["children"], bullet)

    walk(tokens)
    return "\n".join(line for line in lines if line)


def commentary_for(folder: str | Path, institution_id: str, language: str) -> str:
    """The commentary file of one institution in a batch's folder:
    ``<id>.<language>.md`` when there is one, else ``<id>.md``, else ""."""
    from analysis_lib.intake.identifiers import folder_name

    folder = Path(folder)
    for name in (f"{folder_name(institution_id)}.{language}.md", f"{folder_name(institution_id)}.md"):
        if (folder / name).is_file():
            return str((folder / name).resolve())
    return ""


def batch_commentary(folder: str | Path, ids: list[str], language: str) -> dict[str, str]:
    """Each institution's commentary file from a folder (matched by
    institution id), every one checked before a kernel starts.

    Raises
    ------
    ParameterError
        When the folder does not exist, or a file in it fails
        :func:`read_commentary`.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ParameterError(f"parameter 'commentary': {folder} is not a folder; a batch takes a folder of <institution id>.md files")
    found = {i: commentary_for(folder, i, language) for i in ids}
    for path in found.values():
        if path:
            read_commentary(path)
    return found
