"""Institution identifiers: which ids are safe to use as file and folder names,
and the safe mapping from an id to a folder name."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
MAX_ID_LENGTH = 64


def id_problem(institution_id: str) -> str | None:
    """Why ``institution_id`` is unsafe as a file name, or ``None`` if it is safe.

    Safe ids are 1–64 characters, contain no path separators, control
    characters or any of ``<>:"|?*``, do not start with a dot or white space,
    are not ``..``-like and are not reserved device names.

    Examples
    --------
    >>> id_problem("CITY_007") is None
    True
    >>> id_problem("../etc")
    'contains a character not allowed in a file name ("/")'
    """
    if not institution_id or not institution_id.strip():
        return "is empty"
    if len(institution_id) > MAX_ID_LENGTH:
        return f"is longer than {MAX_ID_LENGTH} characters"
    bad = _FORBIDDEN.search(institution_id)
    if bad:
        shown = bad.group() if bad.group().isprintable() else f"\\x{ord(bad.group()):02x}"
        return f'contains a character not allowed in a file name ("{shown}")'
    if institution_id[0] in ". " or institution_id[-1] in ". ":
        return "starts or ends with a dot or a space"
    if institution_id.split(".")[0].lower() in _WINDOWS_RESERVED:
        return "is a reserved device name"
    return None


def folder_name(institution_id: str) -> str:
    """Map an institution id to a folder name that cannot escape its parent.

    Safe ids map to themselves (NFC-normalised); any other id maps to a
    sanitised stem plus a short hash of the original, so two different ids
    never collide by sanitisation.

    Examples
    --------
    >>> folder_name("RCB_01")
    'RCB_01'
    >>> folder_name("../x").startswith("_x-")
    True
    """
    text = unicodedata.normalize("NFC", str(institution_id))
    if id_problem(text) is None:
        return text
    stem = _FORBIDDEN.sub("_", text).strip(". ")[:40] or "id"
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
    return f"{stem.replace('.', '_')}-{digest}"
