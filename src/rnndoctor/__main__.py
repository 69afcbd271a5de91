"""`python -m rnndoctor`: the same command line as the `rnndoctor` script."""

from __future__ import annotations

from .cli import main

raise SystemExit(main())
