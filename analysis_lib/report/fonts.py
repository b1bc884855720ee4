"""Chinese fonts for the report: found on disk, registered with matplotlib.

matplotlib keeps the fonts it knows in a cache file (``fontlist-*.json`` in
``MPLCONFIGDIR`` or ``~/.cache/matplotlib``) that it builds once and never
refreshes. Fonts installed after that first build are invisible to it, so a
Chinese chart would fail although the fonts are on the machine.
:func:`find_cjk_font` therefore looks for Chinese fonts on disk itself —
through fontconfig (``fc-list :lang=zh``) or, without fontconfig, in the
usual font folders — and registers the files matplotlib lacks
(``font_manager.fontManager.addfont``), then rewrites the cache so the next
process starts with them. Only when the machine has no Chinese font at all
does :func:`cjk_font` raise, naming the package to install.

The report's charts are SVG with their text kept as text, which Chromium
sets and embeds like the page's own text: :func:`chart_cjk_font` therefore
prefers the TrueType-outline families below; without one, charts use the
first family of :data:`CHART_FAMILIES` found. The PDF needs more: Chromium embeds fonts with TrueType outlines as real (CID
TrueType) fonts, but fonts with CFF outlines such as Noto Sans CJK as Type 3
glyph procedures (larger files, poorer printing and copy-paste). The report's
CSS therefore names the TrueType-outline families of :data:`PDF_FAMILIES`
first; :func:`pdf_cjk_fonts` lists those installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from analysis_lib.errors import WorkbookError

CHART_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK JP",
                  "Noto Sans CJK TC", "Noto Serif CJK SC", "AR PL UMing CN", "Droid Sans Fallback", "PingFang SC", "Microsoft YaHei")
"""Chart fonts with Chinese glyphs, most preferred first."""
PDF_FAMILIES = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "AR PL UMing CN", "Droid Sans Fallback")
"""Chinese fonts with TrueType outlines, which Chromium embeds as CID TrueType fonts (the report CSS names them first)."""
FONT_PACKAGE = "fonts-noto-cjk"
PDF_FONT_PACKAGE = "fonts-wqy-microhei"
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".local/share/fonts", Path.home() / ".fonts",
             Path("/Library/Fonts"), Path("/System/Library/Fonts"))
FILE_PATTERNS = ("*CJK*", "*SourceHan*", "wqy-*", "uming*", "DroidSansFallback*", "PingFang*", "msyh*")
FONT_SUFFIXES = (".ttc", ".otf", ".ttf")


class MissingFontError(WorkbookError, RuntimeError):
    """No font with Chinese glyphs is installed on this machine."""


def _fontconfig(pattern: str) -> list[tuple[str, Path]]:
    """(family, file) of the fonts fontconfig lists for ``pattern``; empty
    without fontconfig."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        out = subprocess.run([fc_list, pattern, "family", "file"], capture_output=True, text=True, timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    found = []
    for line in out.splitlines():
        file, _, families = line.partition(":")
        for family in families.strip().split(","):
            if family:
                found.append((family.strip(), Path(file.strip())))
    return found


def cjk_font_files() -> dict[str, list[Path]]:
    """Font files with Chinese glyphs on this machine, by family.

    fontconfig answers when it is installed; otherwise the usual font folders
    are searched by file name (Noto/Source Han CJK, WenQuanYi, AR PL, Droid).

    Examples
    --------
    >>> files = cjk_font_files()
    >>> all(path.exists() for paths in files.values() for path in paths)
    True
    """
    by_family: dict[str, list[Path]] = {}
    listed = _fontconfig(":lang=zh")
    if not listed:
        listed = [(_family_of(path), path) for path in _files_on_disk()]
    for family, path in listed:
        if path.exists() and path not in by_family.setdefault(family, []):
            by_family[family].append(path)
    return by_family


def _files_on_disk() -> list[Path]:
    files: set[Path] = set()
    for folder in FONT_DIRS:
        if folder.is_dir():
            for pattern in FILE_PATTERNS:
                files.update(p for p in folder.rglob(pattern) if p.suffix.lower() in FONT_SUFFIXES)
    return sorted(files)


def _family_of(path: Path) -> str:
    from matplotlib import ft2font

    try:
        return ft2font.FT2Font(str(path)).family_name
    except (OSError, RuntimeError, ValueError):
        return path.stem


def _known_families() -> set[str]:
    from matplotlib import font_manager

    return {f.name for f in font_manager.fontManager.ttflist}


def register_cjk_fonts() -> list[Path]:
    """Register with matplotlib the Chinese font files its font cache lacks,
    and save the cache so later processes have them; returns the files added.

    Examples
    --------
    >>> added = register_cjk_fonts()
    >>> register_cjk_fonts()  # a second call finds nothing new
    []
    """
    from matplotlib import font_manager

    manager = font_manager.fontManager
    known = {Path(f.fname) for f in manager.ttflist}
    wanted = [path for family in CHART_FAMILIES for path in cjk_font_files().get(family, [])]
    added = []
    for path in dict.fromkeys(wanted):
        if path not in known:
            try:
                manager.addfont(str(path))
            except (OSError, RuntimeError, ValueError):
                continue
            known.add(path)
            added.append(path)
    if added:
        _save_cache(manager)
    return added


def _save_cache(manager) -> None:
    import matplotlib
    from matplotlib import font_manager

    cache = Path(matplotlib.get_cachedir()) / f"fontlist-v{font_manager.FontManager.__version__}.json"
    try:
        font_manager.json_dump(manager, cache)
    except OSError:
        pass  # a read-only cache only costs the next process the same registration


def find_cjk_font() -> str | None:
    """The chart font for Chinese text, registering fonts from disk when
    matplotlib's cache lacks them; None when the machine has none.

    Examples
    --------
    >>> find_cjk_font() in CHART_FAMILIES + (None,)
    True
    """
    available = _known_families()
    name = next((family for family in CHART_FAMILIES if family in available), None)
    if name is not None:
        return name
    if register_cjk_fonts():
        available = _known_families()
        return next((family for family in CHART_FAMILIES if family in available), None)
    return None


def cjk_font() -> str:
    """The chart font for Chinese text; :class:`MissingFontError` when this
    machine has no Chinese font at all.

    Examples
    --------
    >>> isinstance(cjk_font(), str)
    True
    """
    name = find_cjk_font()
    if name is None:
        raise MissingFontError(f"no Chinese font on this machine for the charts; install {FONT_PACKAGE} "
                               f"(Debian/Ubuntu: apt-get install {FONT_PACKAGE} {PDF_FONT_PACKAGE})")
    return name


def chart_cjk_font() -> str:
    """The chart font for Chinese text: the first family of
    :data:`PDF_FAMILIES` (TrueType outlines, embedded in the PDF as a real
    font) that matplotlib knows, registering it from disk when its cache
    lacks it; else :func:`cjk_font`.

    Examples
    --------
    >>> chart_cjk_font() in CHART_FAMILIES
    True
    """
    name = next((family for family in PDF_FAMILIES if family in _known_families()), None)
    if name is None and any(family in cjk_font_files() for family in PDF_FAMILIES) and register_cjk_fonts():
        name = next((family for family in PDF_FAMILIES if family in _known_families()), None)
    return name or cjk_font()


def pdf_cjk_fonts() -> list[str]:
    """Installed Chinese families with TrueType outlines (embedded in the PDF
    as real fonts), in the report CSS's order.

    Examples
    --------
    >>> set(pdf_cjk_fonts()) <= set(PDF_FAMILIES)
    True
    """
    truetype = {family for family, _ in _fontconfig(":lang=zh:fontformat=TrueType")}
    return [family for family in PDF_FAMILIES if family in truetype]
