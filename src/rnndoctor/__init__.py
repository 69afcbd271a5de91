"""rnndoctor: which invalid argument combination broke this recurrent-layer call?

>>> import rnndoctor
>>> print(rnndoctor.check(nn.LSTM(50, 100), (10, 32, 25)))
error[RNN103]: `input` has 25 features, but this LSTM expects 50
...

`import rnndoctor` imports neither torch nor any front end: each public name
is resolved on first use (PEP 562), so `rnndoctor explain` never loads the
guard, and torch is touched only when a real module or tensor is handed over.
"""

__version__ = "0.1.0"  # kept equal to pyproject.toml's version by tests/test_package.py

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from ._api import check as check
    from ._api import expected_shapes as expected_shapes
    from ._api import init_hidden as init_hidden
    from ._explain import explain as explain
    from ._runtime.guard import guard as guard
    from ._runtime.guard import unwatch as unwatch
    from ._runtime.guard import watch as watch
    from ._runtime.ipython import load_ipython_extension as load_ipython_extension
    from ._runtime.ipython import unload_ipython_extension as unload_ipython_extension
    from ._runtime.postmortem import install as install
    from ._runtime.postmortem import uninstall as uninstall
    from ._scan import scan as scan
    from ._scan.report import ScanReport as ScanReport
    from .errors import RnnArgumentError as RnnArgumentError
    from .errors import RnnDoctorWarning as RnnDoctorWarning
    from .findings import Applicability as Applicability
    from .findings import Dim as Dim
    from .findings import Finding as Finding
    from .findings import Fix as Fix
    from .findings import Location as Location
    from .findings import Severity as Severity
    from .report import Report as Report
    from .shapes import ExpectedShapes as ExpectedShapes
    from .specs import RnnSpec as RnnSpec
    from .specs import spec as spec

__all__ = [
    "Applicability",
    "Dim",
    "ExpectedShapes",
    "Finding",
    "Fix",
    "Location",
    "Report",
    "RnnArgumentError",
    "RnnDoctorWarning",
    "RnnSpec",
    "ScanReport",
    "Severity",
    "check",
    "expected_shapes",
    "explain",
    "guard",
    "init_hidden",
    "install",
    "load_ipython_extension",
    "scan",
    "spec",
    "uninstall",
    "unload_ipython_extension",
    "unwatch",
    "watch",
]

# Where each public name lives. A name is imported from there on first use and
# then kept as a module attribute, so later lookups never reach __getattr__.
_HOMES = {
    "Applicability": ".findings",
    "Dim": ".findings",
    "ExpectedShapes": ".shapes",
    "Finding": ".findings",
    "Fix": ".findings",
    "Location": ".findings",
    "Report": ".report",
    "RnnArgumentError": ".errors",
    "RnnDoctorWarning": ".errors",
    "RnnSpec": ".specs",
    "ScanReport": "._scan.report",
    "Severity": ".findings",
    "check": "._api",
    "expected_shapes": "._api",
    "explain": "._explain",
    "guard": "._runtime.guard",
    "init_hidden": "._api",
    "install": "._runtime.postmortem",
    "load_ipython_extension": "._runtime.ipython",
    "scan": "._scan",
    "spec": ".specs",
    "uninstall": "._runtime.postmortem",
    "unload_ipython_extension": "._runtime.ipython",
    "unwatch": "._runtime.guard",
    "watch": "._runtime.guard",
}


if not _typing.TYPE_CHECKING:  # type checkers see the imports above, and flag unknown names

    def __getattr__(name: str) -> _typing.Any:
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module 'rnndoctor' has no attribute {name!r}")
        value = getattr(_importlib.import_module(home, __name__), name)
        if isinstance(value, type):
            value.__module__ = "rnndoctor"
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})
