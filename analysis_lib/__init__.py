"""CRM Diagnostic Workbook: benchmark a financial institution's CRM cost and
efficiency against its peers and build the business case for upgrading it.

Submodules are imported on demand (``from analysis_lib import finance``) so
that importing the package stays cheap in a notebook kernel.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("crm-diagnostic-workbook")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0+unknown"

__all__ = ["__version__"]
