"""Lazy re-exports for the stage packages (PEP 562).

Each stage's ``__init__`` lists its public names by module; a name is
imported from its module the first time it is used, so importing a stage
(or one light module of it, such as :mod:`analysis_lib.report.summary` in a
batch worker) does not import the whole analysis stack.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, exports: Mapping[str, tuple[str, ...]]) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """Module ``__getattr__``, ``__dir__`` and ``__all__`` for a package.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    exports : mapping
        Submodule name → the public names it provides.

    Returns
    -------
    tuple
        ``(__getattr__, __dir__, __all__)`` to assign in the package.

    Examples
    --------
    >>> getattr_, dir_, all_ = lazy_exports("analysis_lib.roi", {"finance": ("npv",)})
    >>> all_, getattr_("npv").__name__
    (['npv'], 'npv')
    """
    owner = {name: module for module, names in exports.items() for name in names}

    def __getattr__(name: str) -> Any:
        module = owner.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    def __dir__() -> list[str]:
        return sorted(set(owner) | set(exports))

    return __getattr__, __dir__, sorted(owner)
