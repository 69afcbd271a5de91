"""Every golden file reads as English: articles, plurals after a count, no leftover placeholders.

The goldens are every message rnndoctor renders (tests/goldens and tests/**/goldens), so
a slip here is a slip users see. Each check is shown failing on a made-up line below.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
IMAGES = {".png"}  # the browser tests' screenshots: pixels, not words
GOLDENS = sorted(p for p in TESTS.rglob("*")
                 if p.is_file() and "goldens" in p.relative_to(TESTS).parts and p.suffix not in IMAGES)

ARTICLE = re.compile(r"(?<![\w`'.-])(?P<article>[Aa]n?) (?P<quote>[`'\"]?)(?P<word>[\w.*+-]+)")
COUNTED = re.compile(r"(?<![\w.*=/-])(?P<count>\d+) (?P<noun>(?:time )?[a-z]+)\b(?![\w(=-])")
PLACEHOLDER = re.compile(r"\{[A-Za-z_]\w*(?:\.\w+)*(?:![rsa])?(?::[^{}\s]*)?\}|\{\d*\}|%[sdr]\b"
                         r"|\bTODO\b|\bFIXME\b|\bXXX\b"
                         r"|\b(?:None|nan|null) (?:features|layers|time steps|rows|dims?)\b")

LETTER_VOWELS = set("AEFHILMNORSX")  # letters whose names start with a vowel sound: "an LSTM", "an H_out"
WORD_CONSONANT_STARTS = ("one", "once", "uni", "use", "usa", "usu", "uti", "eu", "ubiq")
WORD_VOWEL_STARTS = ("hour", "honest", "honou", "honor", "heir")
NOUNS = {  # singular: plural
    "argument": "arguments", "call": "calls", "dim": "dims", "dimension": "dimensions",
    "direction": "directions", "element": "elements", "entry": "entries", "error": "errors",
    "feature": "features", "item": "items", "layer": "layers", "module": "modules",
    "position": "positions", "row": "rows", "sample": "samples", "sequence": "sequences",
    "state": "states", "step": "steps", "tensor": "tensors", "time step": "time steps",
    "value": "values", "warning": "warnings",
}
SINGULAR = {plural: singular for singular, plural in NOUNS.items()}


def _spelled_by_letter(word: str, quoted: bool) -> bool:
    """LSTM, RNNCell, H_out, N, `h_0`, `hx`: read letter by letter."""
    head = re.match(r"[A-Z]+", word)
    if head and (len(head.group()) > 1 or len(word) == 1 or not word[1:2].islower()):
        return True
    return quoted and bool(re.fullmatch(r"[a-z](?:_\w+|x)?", word.split(".")[0]))


def _number_starts_with_vowel(word: str) -> bool:
    digits = re.match(r"\d+", word)
    if digits is None:
        return False
    n = digits.group()
    return n.startswith("8") or n in ("11", "18") or (len(n) == 5 and n[:2] in ("11", "18"))


def vowel_sound(word: str, quoted: bool = False) -> bool:
    """Whether `word` is said starting with a vowel sound (so it takes "an")."""
    if word[0].isdigit():
        return _number_starts_with_vowel(word)
    if word == "nn" or word.startswith("nn."):
        return True  # "en-en"
    if _spelled_by_letter(word, quoted):
        return word[0].upper() in LETTER_VOWELS
    low = word.lower()
    if low.startswith(WORD_VOWEL_STARTS):
        return True
    return low[0] in "aeiou" and not low.startswith(WORD_CONSONANT_STARTS)


def article_errors(text: str) -> list[str]:
    found = []
    for m in ARTICLE.finditer(text):
        wants_an = vowel_sound(m["word"], quoted=bool(m["quote"]))
        if wants_an != (m["article"].lower() == "an"):
            found.append(m.group())
    return found


def plural_errors(text: str) -> list[str]:
    found = []
    for m in COUNTED.finditer(text):
        noun, one = m["noun"], m["count"] == "1"
        if one and noun in SINGULAR:
            found.append(m.group())
        elif not one and noun in NOUNS:
            found.append(m.group())
    return found


def placeholders(text: str) -> list[str]:
    return [m.group() for m in PLACEHOLDER.finditer(text)]


@pytest.mark.parametrize("path", GOLDENS, ids=lambda p: str(p.relative_to(TESTS)))
def test_golden_reads_as_english(path: Path) -> None:
    text = path.read_text()
    assert article_errors(text) == []
    assert plural_errors(text) == []
    assert placeholders(text) == []


def test_every_golden_is_read() -> None:
    roots = {p.relative_to(TESTS).parts[0] for p in GOLDENS}
    assert roots == {"goldens", "rules"}
    assert len(GOLDENS) > 50


@pytest.mark.parametrize(("line", "found"), [
    ("error: a LSTM expects 3 dims", ["a LSTM"]),
    ("construct an GRU", ["an GRU"]),
    ("a `h_0` of the wrong size", ["a `h_0"]),
    ("an tensor of 2 dims", ["an tensor"]),
    ("a int where a bool belongs", ["a int"]),
    ("an unique order", ["an unique"]),
    ("a 8-layer model", ["a 8-layer"]),
])
def test_article_check_can_fail(line: str, found: list[str]) -> None:
    assert article_errors(line) == found


@pytest.mark.parametrize("line", [
    "an LSTM, an RNN, a GRU, an nn.LSTM, an LSTMCell, a GRUCell, an `int`, a `device`",
    "an H_out of 20, an N, a unit, a one-layer LSTM, an hour, a 2-D input, an 11, a bool",
    "a PackedSequence, an IndexError, a `PackedSequence`, an `h_0`, a `c_0`, a tuple",
])
def test_article_check_passes_good_english(line: str) -> None:
    assert article_errors(line) == []


@pytest.mark.parametrize(("line", "found"), [
    ("`input` has 1 features", ["1 features"]),
    ("its data has 1 rows", ["1 rows"]),
    ("`input` has 1 time steps", ["1 time steps"]),
    ("found 2 error", ["2 error"]),
    ("with 0 layer", ["0 layer"]),
])
def test_plural_check_can_fail(line: str, found: list[str]) -> None:
    assert plural_errors(line) == found


def test_plural_check_passes_good_english() -> None:
    assert plural_errors("found 1 error and 2 warnings; 1 time step; 0 rows; dim 1 of `input`; "
                         "batch 32 with 4 layers; `h_0` (1, 32, 100); D=2 layers; position 1 is") == []


@pytest.mark.parametrize("line", ["expected {expected}, got 2", "layer {}", "got %s", "TODO: fix",
                                  "has None features", "size {0}"])
def test_placeholder_check_can_fail(line: str) -> None:
    assert placeholders(line) != []


def test_placeholder_check_passes_json_and_snippets() -> None:
    assert placeholders('{"code": "RNN204", "dims": [{"index": 0}]} h_0 = torch.zeros(<seq_len>, 32)') == []
