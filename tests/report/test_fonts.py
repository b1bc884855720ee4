"""Chinese fonts: found on disk and registered with matplotlib whatever the
state of its font cache; a clear error only when the machine has none."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from analysis_lib.report import fonts

CJK_ON_MACHINE = bool(fonts.cjk_font_files())
needs_cjk = pytest.mark.skipif(not CJK_ON_MACHINE, reason="no Chinese font installed (apt-get install fonts-noto-cjk)")

# Draws Chinese text with warnings as errors: a missing glyph ("Glyph ... missing
# from font") fails the script. Prints the chart font, whether the cache the
# process started with knew it, and whether the cache file knows it afterwards.
SCRIPT = textwrap.dedent("""
    import io, json, sys, warnings
    from pathlib import Path
    import matplotlib
    from matplotlib import font_manager
    warnings.simplefilter("error")
    before = {f.name for f in font_manager.fontManager.ttflist}
    from analysis_lib.report import charts, fonts
    charts.apply_style("zh")
    name = fonts.cjk_font()
    fig, ax = charts._figure(2.0, "zh")
    ax.set_title("客户关系管理成本与效能")
    fig.savefig(io.BytesIO(), format="png")
    cache = Path(matplotlib.get_cachedir()) / f"fontlist-v{font_manager.FontManager.__version__}.json"
    after = {f["name"] for f in json.loads(cache.read_text())["ttflist"]}
    print(json.dumps({"font": name, "known_before": name in before, "cached_after": name in after}))
""")


def _run(config_dir) -> dict:
    env = {**os.environ, "MPLCONFIGDIR": str(config_dir), "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _stale_cache(config_dir) -> None:
    """A font cache as matplotlib builds it on a machine without CJK fonts."""
    env = {**os.environ, "MPLCONFIGDIR": str(config_dir)}
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, check=True, timeout=300)
    (cache,) = config_dir.glob("fontlist-*.json")
    data = json.loads(cache.read_text())
    data["ttflist"] = [f for f in data["ttflist"] if not any(f["name"].startswith(c) for c in fonts.CHART_FAMILIES)
                       and "CJK" not in f["name"]]
    cache.write_text(json.dumps(data))


@needs_cjk
def test_empty_cache_directory_finds_the_chinese_font(tmp_path):
    result = _run(tmp_path)
    assert result["font"] in fonts.CHART_FAMILIES
    assert result["cached_after"]


@needs_cjk
def test_stale_cache_is_completed_from_disk_and_saved(tmp_path):
    _stale_cache(tmp_path)
    first = _run(tmp_path)
    assert first["font"] in fonts.CHART_FAMILIES
    assert not first["known_before"], "the stale cache should not know the CJK font"
    assert first["cached_after"], "the registered fonts should be saved to the cache"
    second = _run(tmp_path)
    assert second["known_before"] and second["font"] == first["font"]


def test_no_chinese_font_names_the_package(monkeypatch):
    monkeypatch.setattr(fonts, "_known_families", lambda: {"DejaVu Sans"})
    monkeypatch.setattr(fonts, "cjk_font_files", lambda: {})
    assert fonts.find_cjk_font() is None
    with pytest.raises(fonts.MissingFontError, match="fonts-noto-cjk"):
        fonts.cjk_font()


def test_font_files_are_found_without_fontconfig(monkeypatch):
    monkeypatch.setattr(fonts, "_fontconfig", lambda pattern: [])
    found = fonts.cjk_font_files()
    assert bool(found) == CJK_ON_MACHINE
    for family, paths in found.items():
        assert family and all(p.suffix.lower() in fonts.FONT_SUFFIXES for p in paths)


@pytest.mark.skipif(not fonts._fontconfig(":lang=zh"), reason="needs fontconfig and a Chinese font")
def test_a_truetype_chinese_font_is_installed_for_the_pdf():
    # Noto Sans CJK (CFF outlines) is not one: Chromium would embed it as Type 3.
    assert fonts.pdf_cjk_fonts(), "install fonts-wqy-microhei for real fonts in Chinese PDFs"
    assert "Noto Sans CJK SC" not in fonts.pdf_cjk_fonts()
