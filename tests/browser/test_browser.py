"""The HTML reports in a real browser: the DOM, contrast in four themes, escaping, screenshots.

Themes: JupyterLab 4's light and dark theme variables (the values of
@jupyterlab/theme-light-extension and theme-dark-extension, with the dark
theme's `data-jp-theme-light="false"` on body), VS Code's `body.vscode-dark`
with its editor background and no JupyterLab variables, `html[theme=dark]`,
and a plain page. Contrast is WCAG 2's ratio of relative luminances, with the
colour drawn behind each piece of text found by hit-testing its centre.

Screenshots are compared with their goldens by SSIM (7×7 uniform windows on
greyscale, the constants of Wang et al. 2004); a render passes at SSIM ≥ 0.99.
The text is DejaVu Sans Mono from Debian's fonts-dejavu-core, named first in
the stylesheet. `--update-goldens` rewrites the PNGs and the README's copies.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from ..golden import GOLDENS
from .cases import UID, Case, report_cases, scan_case

SHOTS = GOLDENS / "screenshots"
README_IMAGES = {"rnn2-hidden-layers-plain": "diagram.png", "scan-chain-plain": "scan-chain.png",
                 "rnn2-hidden-layers-jupyterlab-dark": "diagram-dark.png"}
DOCS_IMAGES = Path(__file__).parents[2] / "docs" / "images"
SSIM_MIN = 0.99
CONTRAST_MIN = 4.5

JL_LIGHT = """:root { --jp-content-font-color0: rgba(0, 0, 0, 1); --jp-content-font-color1: rgba(0, 0, 0, 0.87);
  --jp-layout-color0: white; --jp-layout-color1: white; --jp-layout-color2: #eeeeee;
  --jp-border-color1: #bdbdbd; }
body { background: var(--jp-layout-color0); }"""
JL_DARK = """:root { --jp-content-font-color0: rgba(255, 255, 255, 1);
  --jp-content-font-color1: rgba(255, 255, 255, 0.87); --jp-layout-color0: #111111;
  --jp-layout-color1: #212121; --jp-layout-color2: #424242; --jp-border-color1: #616161; }
body { background: var(--jp-layout-color0); }"""
THEMES = {  # name: (attributes of <html>, attributes of <body>, the host's CSS)
    "plain": ("", "", "body { background: #ffffff; }"),
    "jupyterlab-light": ("", ' data-jp-theme-light="true"', JL_LIGHT),
    "jupyterlab-dark": ("", ' data-jp-theme-light="false"', JL_DARK),
    "vscode-dark": ("", ' class="vscode-dark"', "body { background: #1e1e1e; }"),
    "html-theme-dark": (' theme="dark"', "", "body { background: #1e1e1e; }"),
}
POLICY = "default-src 'none'; style-src 'unsafe-inline'"

CASES = report_cases()
ALL = {c.name: c for c in CASES}


@pytest.fixture(scope="module")
def scan() -> Case:
    return scan_case()


def _case(name: str, scan: Case) -> Case:
    return scan if name == "scan-chain" else ALL[name]


def host(fragment: str, theme: str) -> str:
    html_attrs, body_attrs, css = THEMES[theme]
    return (f'<!DOCTYPE html><html lang="en"{html_attrs}><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'
            f"<style>{css}</style></head><body{body_attrs}>{fragment}</body></html>")


def load(page: Any, case: Case, theme: str = "plain") -> None:
    page.set_content(host(case.html(UID), theme))
    page.evaluate("document.fonts.ready")


NAMES = [c.name for c in CASES] + ["scan-chain"]


@pytest.mark.parametrize("name", NAMES)
def test_mismatched_cells_are_highlighted_and_carry_the_actual_size(page: Any, scan: Case,
                                                                     name: str) -> None:
    case = _case(name, scan)
    load(page, case)
    cells = page.evaluate("""() => [...document.querySelectorAll('g.rnnd-cell.rnnd-bad')].map(g => ({
        tensor: g.getAttribute('data-tensor'), dim: Number(g.getAttribute('data-dim')),
        texts: [...g.querySelectorAll('text')].map(t => t.textContent),
        weights: [...g.querySelectorAll('text')].map(t => getComputedStyle(t).fontWeight),
        fill: getComputedStyle(g.querySelector('rect')).fill,
        title: g.querySelector('title').textContent}))""")
    plain = page.evaluate("""() => [...document.querySelectorAll('g.rnnd-cell:not(.rnnd-bad) rect')]
        .map(r => getComputedStyle(r).fill)""")
    assert [(c["tensor"], c["dim"]) for c in cells] == [(t, d) for t, d, _ in case.wrong]
    for cell, (_, _, actual) in zip(cells, case.wrong):
        assert actual in cell["texts"] and "^" in cell["texts"]  # the size, and a caret under it
        assert set(cell["weights"]) == {"700"}  # bold, not colour alone
        assert cell["fill"] not in plain
        assert f"got {actual}" in cell["title"]
    assert page.requests == [] and page.console == []


@pytest.mark.parametrize("name", NAMES)
def test_the_text_alternative_names_the_culprit(page: Any, scan: Case, name: str) -> None:
    case = _case(name, scan)
    load(page, case)
    names = page.evaluate("""() => [...document.querySelectorAll('svg[role=img]')].map(svg =>
        svg.getAttribute('aria-labelledby').split(' ')
           .map(id => document.getElementById(id).textContent).join(' '))""")
    if not case.drawn:  # nothing to draw: the finding's title names the culprit
        assert names == [] and case.culprit is not None
        assert case.culprit in page.locator(".rnnd-title").first.inner_text()
        return
    assert names, "no diagram with role=img"
    if case.culprit is not None:
        assert f"culprit: {case.culprit}" in " ".join(names)
    for tensor, dim, actual in case.wrong:
        assert f"{tensor} dim {dim} " in " ".join(names) and f"got {actual}" in " ".join(names)


@pytest.mark.parametrize("name", NAMES)
def test_the_fallback_shows_only_where_css_is_stripped(page: Any, scan: Case, name: str) -> None:
    load(page, _case(name, scan))
    assert page.locator(".rnnd-wrap").first.is_visible()
    assert not page.locator(".rnnd-text-fallback").first.is_visible()
    assert page.evaluate("document.fonts.check('12px \"DejaVu Sans Mono\"')")
    page.evaluate("document.querySelectorAll('style').forEach(s => s.remove())")
    assert page.locator(".rnnd-text-fallback").first.is_visible()
    assert not page.locator(".rnnd-wrap").first.is_visible()


def test_user_strings_create_no_element(page: Any) -> None:
    load(page, ALL["xss"])
    found = page.evaluate("""() => ({
        scripts: document.querySelectorAll('script').length,
        styles: document.querySelectorAll('style').length,
        svgs: document.querySelectorAll('svg').length,
        handlers: [...document.querySelectorAll('*')].flatMap(e => [...e.attributes])
            .filter(a => a.name.startsWith('on')).length,
        text: document.body.innerText})""")
    assert found == {**found, "scripts": 0, "styles": 2, "svgs": 1, "handlers": 0}
    assert "<script>alert(1)</script>" in found["text"]  # shown as text
    assert page.console == []  # no alert ran


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: tuple[float, float, float], bg: tuple[float, float, float]) -> float:
    hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _rgba(css: str) -> tuple[float, float, float, float]:
    inner = css[css.index("(") + 1:css.rindex(")")].replace(",", " ").replace("/", " ").split()
    r, g, b = (float(v) for v in inner[:3])
    return r, g, b, float(inner[3]) if len(inner) > 3 else 1.0


def _over(top: tuple[float, float, float, float], below: tuple[float, float, float]) -> tuple[float, float, float]:
    a = top[3]
    return tuple(top[i] * a + below[i] * (1 - a) for i in range(3))  # type: ignore[return-value]


def composite(layers: list[str]) -> tuple[float, float, float]:
    """Colours listed from the top down to the first opaque one, flattened onto white."""
    color: tuple[float, float, float] = (255.0, 255.0, 255.0)
    for css in reversed(layers):
        color = _over(_rgba(css), color)
    return color


MEASURE = """() => {
  const out = [];
  const shapes = ['rect', 'polygon', 'path', 'circle', 'ellipse'];
  const paint = el => !(el instanceof SVGElement) ? getComputedStyle(el).backgroundColor
      : shapes.includes(el.tagName.toLowerCase()) ? getComputedStyle(el).fill : 'none';
  const clear = c => !c || c === 'none' || c === 'transparent' || /rgba\\(.*,\\s*0\\)$/.test(c);
  const texts = [...document.querySelectorAll('.rnnd-wrap text, .rnnd-wrap *')].filter(el =>
      el.tagName.toLowerCase() === 'text' ||
      (!(el instanceof SVGElement) && [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())));
  for (const el of texts) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    const stack = document.elementsFromPoint(box.x + box.width / 2, box.y + box.height / 2);
    const layers = [];
    for (const under of stack) {
      if (under === el || el.contains(under) || under.tagName.toLowerCase() === 'text') continue;
      const c = paint(under);
      if (clear(c)) continue;
      layers.push(c);
      if (!c.startsWith('rgba')) break;
    }
    const fg = el instanceof SVGElement ? getComputedStyle(el).fill : getComputedStyle(el).color;
    out.push({text: el.textContent.trim().slice(0, 40), fg, layers});
  }
  return out;
}"""


@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize("name", NAMES)
def test_text_keeps_wcag_contrast(page: Any, scan: Case, name: str, theme: str) -> None:
    load(page, _case(name, scan), theme)
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": 1000, "height": height})
    measured = page.evaluate(MEASURE)
    assert len(measured) > 5
    low = []
    for m in measured:
        bg = composite(m["layers"])
        ratio = contrast(_over(_rgba(m["fg"]), bg), bg)
        if ratio < CONTRAST_MIN:
            low.append((m["text"], m["fg"], m["layers"], round(ratio, 2)))
    assert low == []


def ssim(a: np.ndarray, b: np.ndarray, window: int = 7) -> float:
    """Mean structural similarity of two greyscale images, uniform windows."""
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2

    def mean(x: np.ndarray) -> np.ndarray:
        s = np.pad(x, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
        w = window
        return (s[w:, w:] - s[:-w, w:] - s[w:, :-w] + s[:-w, :-w]) / (w * w)

    mx, my = mean(a), mean(b)
    vx, vy, cxy = mean(a * a) - mx * mx, mean(b * b) - my * my, mean(a * b) - mx * my
    n = window * window / (window * window - 1)  # sample variances, as scikit-image
    vx, vy, cxy = vx * n, vy * n, cxy * n
    s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return float(s.mean())


def _grey(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.float64)


SHOTS_WANTED = [(n, "plain") for n in NAMES] + [
    ("rnn2-hidden-layers", t) for t in ("jupyterlab-light", "jupyterlab-dark", "vscode-dark")] + [
    ("scan-chain", t) for t in ("jupyterlab-dark", "vscode-dark")]


@pytest.mark.parametrize(("name", "theme"), SHOTS_WANTED)
def test_screenshot_matches_its_golden(page: Any, scan: Case, name: str, theme: str,
                                       update_goldens: bool) -> None:
    load(page, _case(name, scan), theme)
    png = page.locator(".rnnd-repr").first.screenshot(animations="disabled")
    path = SHOTS / f"{name}-{theme}.png"
    readme = README_IMAGES.get(f"{name}-{theme}")
    if update_goldens or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
        if readme:
            DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOCS_IMAGES / readme)
        if not update_goldens:
            pytest.fail(f"wrote new screenshot {path.name}; review it and run again")
    golden, got = _grey(path.read_bytes()), _grey(png)
    assert golden.shape == got.shape, f"{path.name}: size {got.shape[::-1]}, golden {golden.shape[::-1]}"
    score = ssim(golden, got)
    assert score >= SSIM_MIN, f"{path.name}: SSIM {score:.4f} < {SSIM_MIN}"
    if readme:
        assert (DOCS_IMAGES / readme).read_bytes() == path.read_bytes(), f"docs/images/{readme} is stale"

