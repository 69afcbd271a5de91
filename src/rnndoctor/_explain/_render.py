"""An explanation as text and as JSON: a header saying what was matched, then the report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..render.json import Json, report_body
from ..render.text import GUTTER, render_report

if TYPE_CHECKING:
    from ._report import Explanation

__all__ = ["explanation_body", "explanation_head", "explanation_html", "explanation_text"]

MAX_SHOWN = 160  # characters of the message repeated in the header


def explanation_text(e: Explanation) -> str:
    """The header, then the findings as `check` renders them."""
    head = "\n".join(explanation_head(e)) + "\n"
    return head + ("\n" + render_report(e) if e.findings else "")


def explanation_html(e: Explanation, uid: str | None = None) -> str:
    """The header's lines, then the report's diagram and findings (`rnndoctor.render.html`)."""
    from ..render.html import report_html

    return report_html(e, uid, preamble=explanation_head(e), fallback=explanation_text(e))


def explanation_head(e: Explanation) -> list[str]:
    """What was matched, how surely, and helps for a message no rule covers."""
    lines = [f"explain: {_quoted(e)}", f"   = {_verdict(e)}"]
    if e.reflowed:
        lines.append("   = note: the message was matched after undoing its line breaks")
    lines += [f"   = note: {n}" for n in e.notes]
    if e.confidence and not e.findings and e.status != "unrecognised":
        lines.append(f"   = note: confidence: {e.confidence}")
    for i, fix in enumerate(e.fixes):
        lines.append(("help: " if i == 0 else "help: or ") + fix.title)
        lines += [f"{GUTTER}   {s}" for s in (fix.snippet or "").splitlines()]
    return lines


def _quoted(e: Explanation) -> str:
    first = e.message.split("\n", 1)[0]
    shown = first if len(first) <= MAX_SHOWN else first[: MAX_SHOWN - 3] + "..."
    if not shown:
        return "(no message found in the text)"
    return f"{e.exception}: {shown}" if e.exception else shown


def _verdict(e: Explanation) -> str:
    if e.status == "unrecognised":
        return "unrecognised: this is not a recurrent-layer error rnndoctor knows"
    label = "recognised" if e.status == "recognised" else "partial match"
    return f"{label}: `{e.pattern}`, from torch {e.versions}, raised in {e.source}"


def explanation_body(e: Explanation) -> Json:
    """A "report" document with an `explain` object: the match, its provenance and the exit code."""
    return report_body(e) | {
        "explain": {
            "status": e.status,
            "exception": e.exception,
            "message": e.message,
            "pattern": e.pattern,
            "versions": e.versions,
            "source": e.source,
            "confidence": e.confidence,
            "reflowed": e.reflowed,
            "notes": list(e.notes),
            "fixes": [{"title": f.title, "applicability": f.applicability.value, "snippet": f.snippet}
                      for f in e.fixes],
            "exit_code": e.exit_code,
        }
    }
