"""`%load_ext rnndoctor`: post-mortem diagnosis in IPython and Jupyter.

Neither torch nor IPython is imported here; the shell hands itself over.
"""

from __future__ import annotations

from typing import Any

from . import notebook
from . import postmortem as _postmortem

__all__ = ["load_ipython_extension", "unload_ipython_extension"]


def load_ipython_extension(ipython: Any) -> None:
    """Diagnose recurrent-layer errors under their traceback in this IPython session.

    >>> %load_ext rnndoctor

    This is `rnndoctor.install()`, attached to the session's shell; and
    `expected_shapes()` shows as a diagram.
    """
    _postmortem.install_for_shell(ipython)
    notebook.register(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """Undo `%load_ext rnndoctor` (`%unload_ext rnndoctor`): `rnndoctor.uninstall()`."""
    _postmortem.uninstall()
    notebook.unregister(ipython)
