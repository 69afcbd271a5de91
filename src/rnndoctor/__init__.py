"""rnndoctor: which invalid argument combination broke this recurrent-layer call?

>>> import rnndoctor
>>> print(rnndoctor.check(nn.LSTM(50, 100), (10, 32, 25)))
error[RNN103]: `input` has 25 features, but this LSTM expects 50
...

`import rnndoctor` does not import torch; torch is touched only when a real
module or tensor is handed over.
"""

__version__ = "0.1.0"  # kept equal to pyproject.toml's version by tests/test_package.py

from ._api import check as check
from ._api import expected_shapes as expected_shapes
from ._api import init_hidden as init_hidden
from ._ipython import load_ipython_extension as load_ipython_extension
from ._ipython import unload_ipython_extension as unload_ipython_extension
from ._postmortem import install as install
from ._postmortem import uninstall as uninstall
from .errors import RnnArgumentError as RnnArgumentError
from .explain import explain as explain
from .findings import Applicability as Applicability
from .findings import Dim as Dim
from .findings import Finding as Finding
from .findings import Fix as Fix
from .findings import Location as Location
from .findings import Severity as Severity
from .guard import RnnDoctorWarning as RnnDoctorWarning
from .guard import guard as guard
from .guard import unwatch as unwatch
from .guard import watch as watch
from .report import Report as Report
from .scan import ScanReport as ScanReport
from .scan import scan as scan
from .shapes import ExpectedShapes as ExpectedShapes
from .spec import RnnSpec as RnnSpec
from .spec import spec as spec

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

for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type):
        _obj.__module__ = "rnndoctor"
del _name, _obj
