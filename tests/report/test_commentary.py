"""The consultant's commentary: sections keyed by report section ids, refused
before a kernel starts when a key is unknown, rendered safely and marked as
the consultant's."""

import html
from pathlib import Path

import pytest

from analysis_lib.cli import main
from analysis_lib.errors import ParameterError
from analysis_lib.report.commentary import (
    LABEL,
    batch_commentary,
    commentary_sections,
    markdown_html,
    parse_commentary,
    plain_text,
    with_commentary,
)
from analysis_lib.report.parameters import validate_parameters
from analysis_lib.report.rendering import SECTION_ORDER

NOTES = """# CITY-02: interview findings

## executive_summary
Five branch heads confirm it: **no shared customer record**.

## gaps
- Retention: no early-warning list reaches the relationship managers.
- Acquisition: leads are bought without a value cut-off.
"""


def test_sections_are_split_by_their_ids():
    parsed = parse_commentary(NOTES)
    assert list(parsed.parts) == ["executive_summary", "gaps"]
    assert parsed.for_section("gaps").startswith("- Retention")
    assert parsed.for_section("risk") == ""
    assert set(commentary_sections()) == set(SECTION_ORDER) - {"cover"}


@pytest.mark.parametrize(("text", "message"), [
    ("## executive_summary\nok\n## gapz\nno", "line 3: unknown section 'gapz' (did you mean 'gaps'?)"),
    ("## cover\nno", "unknown section 'cover'"),
    ("Some notes\n## gaps\nx", "line 1: text before the first section heading"),
    ("## gaps\nx\n## gaps\ny", "line 3: section 'gaps' appears twice"),
])
def test_bad_commentary_is_refused_with_the_line(text, message):
    with pytest.raises(ParameterError) as error:
        parse_commentary(text, "notes.md")
    assert f"notes.md, {message}" in str(error.value) if "line" in message else message in str(error.value)


def test_the_refusal_lists_every_valid_section():
    with pytest.raises(ParameterError) as error:
        parse_commentary("## summary\nx", "notes.md")
    assert str(error.value).endswith(", ".join(commentary_sections()))


def test_a_heading_inside_a_code_block_is_text():
    assert parse_commentary("## gaps\n```\n## not a heading\n```\n").parts["gaps"] == "```\n## not a heading\n```"


@pytest.mark.parametrize(("markdown", "forbidden", "expected"), [
    ("<script>alert(1)</script>", "<script", "&lt;script&gt;"),
    ('<img src="x" onerror="alert(1)">', "<img", "&lt;img"),
    ("[click](javascript:alert(1))", "javascript:", 'href="#harmful-link"'),
    ("![tracking pixel](https://example.com/p.png)", "example.com", "tracking pixel"),
    ('<a href="https://x.y">x</a>', "<a href", "&lt;a href"),
])
def test_markdown_is_rendered_safely(markdown, forbidden, expected):
    rendered = markdown_html(markdown)
    assert forbidden not in rendered
    assert expected in rendered


def test_markdown_formatting_survives():
    rendered = markdown_html("**bold** and a list:\n\n- one\n- two")
    assert "<strong>bold</strong>" in rendered and rendered.count("<li>") == 2


def test_plain_text_for_slides():
    assert plain_text(parse_commentary(NOTES).for_section("gaps")) == (
        "• Retention: no early-warning list reaches the relationship managers.\n• Acquisition: leads are bought without a value cut-off.")


class _Diag:
    def __init__(self, path: str, language: str = "en") -> None:
        self.params = {"commentary": path}
        self.language = language


def test_commentary_is_merged_into_its_section_and_marked(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text(NOTES, encoding="utf-8")
    section = '<section class="report-section" id="gaps"><h2>Gaps</h2><p>table</p></section>'
    merged = with_commentary(section, _Diag(str(path)), "gaps")
    assert merged.index("<p>table</p>") < merged.index('<aside class="commentary">') < merged.index("</section>")
    assert html.escape(LABEL["en"]) in merged and merged.count("<li>") == 2
    assert with_commentary(section, _Diag(str(path)), "risk") == section
    assert with_commentary("", _Diag(str(path)), "customers") == ""  # a section the report does not show
    zh = with_commentary(section, _Diag(str(path), "zh"), "gaps")
    assert html.escape(LABEL["zh"]) in zh


def test_unknown_keys_are_refused_before_the_kernel_starts(tmp_path, capsys):
    path = tmp_path / "notes.md"
    path.write_text("## gaps\nfine\n\n## interviews\nnot a section\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="line 4: unknown section 'interviews'"):
        validate_parameters({"institution_id": "CITY-02", "commentary": str(path)})
    out = tmp_path / "out"
    assert main(["report", "CITY-02", "--formats", "html", "--out", str(out), "-p", "commentary", str(path)]) == 2
    error = capsys.readouterr().err
    assert "unknown section 'interviews'" in error and "executive_summary, scorecard" in error
    assert not out.exists()  # nothing ran


def test_not_utf8_and_missing_files_are_refused(tmp_path):
    path = tmp_path / "notes.md"
    path.write_bytes("## gaps\n访谈".encode("gbk"))
    with pytest.raises(ParameterError, match="not UTF-8"):
        validate_parameters({"institution_id": "CITY-02", "commentary": str(path)})
    with pytest.raises(ParameterError, match="file not found"):
        validate_parameters({"institution_id": "CITY-02", "commentary": str(tmp_path / "none.md")})


def test_a_batch_folder_is_matched_by_institution_id(tmp_path):
    (tmp_path / "CITY-02.md").write_text("## gaps\nEnglish notes", encoding="utf-8")
    (tmp_path / "CITY-02.zh.md").write_text("## gaps\n中文评述", encoding="utf-8")
    (tmp_path / "RURAL-02.md").write_text("## risk\nnotes", encoding="utf-8")
    found = batch_commentary(tmp_path, ["CITY-02", "RURAL-02", "JSB-01"], "zh")
    assert Path(found["CITY-02"]).name == "CITY-02.zh.md"
    assert Path(found["RURAL-02"]).name == "RURAL-02.md"
    assert found["JSB-01"] == ""
    assert Path(batch_commentary(tmp_path, ["CITY-02"], "en")["CITY-02"]).name == "CITY-02.md"
    (tmp_path / "JSB-01.md").write_text("## gapps\nx", encoding="utf-8")
    with pytest.raises(ParameterError, match="JSB-01.md, line 1: unknown section 'gapps'"):
        batch_commentary(tmp_path, ["CITY-02", "JSB-01"], "en")
    with pytest.raises(ParameterError, match="is not a folder"):
        batch_commentary(tmp_path / "CITY-02.md", ["CITY-02"], "en")
