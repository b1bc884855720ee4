"""Institution identifiers: the one rule every id must pass, and the safe
mapping from an id to a folder name.

An id becomes a folder name, a file name, a cell of ``manifest.csv`` opened in
a spreadsheet, a papermill parameter and a line on the terminal. One function,
:func:`id_problem`, decides whether it is fit for all of these; intake, the
batch runner and the command line call it and nothing else.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from analysis_lib.errors import InputDataError

MAX_ID_LENGTH = 64
ID_RULE = ("1-64 characters: letters (any script), digits, '_', '-', '.' and single spaces, "
           "starting with a letter or digit and not ending with '.' or a space")
"""What an institution id may be, as messages state it (the exact rule of
:func:`id_problem`)."""
_PUNCTUATION = {"_", "-", ".", " "}
_FORMULA_LEADERS = {"=", "+", "-", "@", "\t", "\r"}
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
_UNSAFE_IN_FOLDER = re.compile(r'[<>:"/\\|?*{}\x00-\x1f\x7f]')


def normalise_id(institution_id: object) -> str:
    """An id as compared and stored: NFC-normalised text.

    Examples
    --------
    >>> normalise_id("Cafe\\u0301-01") == "Caf\\u00e9-01"
    True
    """
    return unicodedata.normalize("NFC", str(institution_id))


def _shown(character: str) -> str:
    """A character as a message shows it: itself when visible, else its
    code point and Unicode name (U+202E RIGHT-TO-LEFT OVERRIDE)."""
    if character.isprintable() and not character.isspace():
        return f'"{character}"'
    return f"U+{ord(character):04X} {unicodedata.name(character, 'control character')}"


def _allowed(character: str) -> bool:
    return character in _PUNCTUATION or unicodedata.category(character)[0] in "LNM"


def id_problem(institution_id: str) -> str | None:
    """Why ``institution_id`` is not a usable id, or ``None`` if it is.

    The id is NFC-normalised first; then it must follow :data:`ID_RULE`:
    letters of any script (with their combining marks), digits, ``_``,
    ``-``, ``.`` and single spaces; the first character a letter or digit
    (so no formula leader ``= + - @`` reaches a spreadsheet, and no id reads
    as a command-line option); not ending with ``.`` or a space; not a
    reserved device name. This leaves out path separators, braces, quotes,
    control characters and invisible format characters (bidirectional
    overrides such as U+202E, zero-width spaces and joiners), which could
    escape a folder, be expanded in a path, or imitate another id.

    Examples
    --------
    >>> id_problem("CITY_007") is None
    True
    >>> id_problem("农商行-01") is None
    True
    >>> id_problem("../etc")
    'contains "/"'
    >>> id_problem(".hidden")
    'starts with "." (the first character must be a letter or digit)'
    >>> id_problem("=HYPERLINK(1)")
    'contains "="'
    >>> id_problem("-01")
    'starts with "-" (the first character must be a letter or digit)'
    >>> id_problem("AB\\u202eC")
    'contains U+202E RIGHT-TO-LEFT OVERRIDE'
    """
    text = normalise_id(institution_id)
    if not text.strip():
        return "is empty"
    if len(text) > MAX_ID_LENGTH:
        return f"is longer than {MAX_ID_LENGTH} characters ({len(text)})"
    bad = next((c for c in text if not _allowed(c)), None)
    if bad is not None:
        return f"contains {_shown(bad)}"
    if not unicodedata.category(text[0]).startswith(("L", "N")):
        return f"starts with {_shown(text[0])} (the first character must be a letter or digit)"
    if text[-1] in ". ":
        return f"ends with {_shown(text[-1])}"
    if "  " in text:
        return "contains two spaces in a row"
    if text.split(".")[0].strip().lower() in _WINDOWS_RESERVED:
        return "is a reserved device name"
    return None


def check_id(institution_id: object, where: str = "institution id") -> str:
    """The normalised id, or :class:`InputDataError` saying what is wrong
    and what is allowed.

    Examples
    --------
    >>> check_id("JSB-01")
    'JSB-01'
    >>> check_id("A{B}")
    Traceback (most recent call last):
    ...
    analysis_lib.errors.InputDataError: institution id 'A{B}' contains "{"; expected 1-64 characters: ...
    """
    text = normalise_id(institution_id)
    reason = id_problem(text)
    if reason:
        raise InputDataError(f"{where} {text!r} {reason}; expected {ID_RULE}")
    return text


def formula_safe(cell: object) -> object:
    """A value made safe for a CSV cell that a spreadsheet will open
    (OWASP CSV injection): text starting with ``= + - @``, a tab or a
    carriage return gets a leading apostrophe, so it is shown, never
    evaluated. Numbers (including negative ones) pass unchanged.

    Examples
    --------
    >>> formula_safe("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> formula_safe(-0.5), formula_safe("-0.5"), formula_safe("CITY-01")
    (-0.5, '-0.5', 'CITY-01')
    """
    if not isinstance(cell, str) or not cell or cell[0] not in _FORMULA_LEADERS:
        return cell
    try:
        float(cell)
        return cell
    except ValueError:
        return "'" + cell


def folder_name(institution_id: str) -> str:
    """Map an institution id to a folder name that cannot escape its parent.

    Valid ids map to themselves (NFC-normalised); any other id maps to a
    sanitised stem plus a short hash of the original, so two different ids
    never collide by sanitisation.

    Examples
    --------
    >>> folder_name("RCB_01")
    'RCB_01'
    >>> folder_name("../x").startswith("_x-")
    True
    """
    text = normalise_id(institution_id)
    if id_problem(text) is None:
        return text
    stem = "".join(c if _allowed(c) and not _UNSAFE_IN_FOLDER.match(c) else "_" for c in text)
    stem = stem.strip(". ")[:40] or "id"
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
    return f"{stem.replace('.', '_')}-{digest}"
