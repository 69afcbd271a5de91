"""The built wheel, installed into a fresh virtual environment, does what users rely on.

The wheel is built from this checkout and installed with `--no-deps` into a
new venv; torch, pytest and IPython come from the development environment
through a `.pth` line, placed after the new venv's own site-packages, so
`rnndoctor` itself is imported from the wheel and nowhere else. Each entry
point is then used as a user would: the console script, `python -m
rnndoctor`, every public name, the `pytest11` plugin and `%load_ext
rnndoctor`.
"""

from __future__ import annotations

import os
import re
import site
import subprocess
import sys
import sysconfig
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .test_package import LINK

ROOT = Path(__file__).resolve().parent.parent
FAILING_TEST = """
import torch
from torch import nn

def test_wrong_feature_size():
    nn.LSTM(50, 100)(torch.randn(10, 32, 25))
"""


class Fresh:
    """A venv with the wheel installed; `run` runs its python."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.bin = root / ("Scripts" if os.name == "nt" else "bin")
        self.python = self.bin / "python"

    def run(self, *args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        return subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd, env=env,
                              timeout=600)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(out), str(ROOT)], check=True, capture_output=True)
    (built,) = out.glob("rnndoctor-*.whl")
    return built


@pytest.fixture(scope="module")
def fresh(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fresh]:
    root = tmp_path_factory.mktemp("venv")
    venv.create(root, with_pip=True)
    env = Fresh(root)
    installed = env.run(env.python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", wheel)
    assert installed.returncode == 0, installed.stderr
    purelib = env.run(env.python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    # the development environment's packages (torch, rich, pytest, IPython), after the wheel's
    Path(purelib.stdout.strip(), "zz_development.pth").write_text(
        "\n".join([*site.getsitepackages(), sysconfig.get_paths()["purelib"]]) + "\n")
    yield env


def test_the_wheel_holds_every_module_and_no_tests(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    source = {str(p.relative_to(ROOT / "src")) for p in (ROOT / "src" / "rnndoctor").rglob("*.py")}
    assert source <= names
    assert "rnndoctor/py.typed" in names
    assert not [n for n in names if n.startswith("tests/")]


def test_the_wheel_requires_torch_only_as_an_extra(wheel: Path) -> None:
    """pre-commit and `pip install rnndoctor` install the dependencies: torch must not be one."""
    archive = zipfile.ZipFile(wheel)
    (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
    requires = [line.removeprefix("Requires-Dist:").strip()
                for line in archive.read(metadata).decode().splitlines() if line.startswith("Requires-Dist:")]
    always = [r for r in requires if "extra ==" not in r]
    assert always and not [r for r in always if re.match(r"torch\b", r)], always
    assert "torch>=2.1; extra == 'torch'" in requires


def test_the_description_pypi_shows_has_no_relative_link(wheel: Path) -> None:
    """PyPI shows the README without the repository around it: only absolute links work there."""
    archive = zipfile.ZipFile(wheel)
    (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
    description = archive.read(metadata).decode().partition("\n\n")[2]
    assert "rnndoctor tells you which argument broke" in description
    targets = [m["target"] or m["html"] for m in LINK.finditer(description)]
    assert [t for t in targets if not re.match(r"https?://", t)] == []
    assert "(the image `docs/images/diagram.png` in the repository)" in description


def test_rnndoctor_comes_from_the_wheel(fresh: Fresh) -> None:
    where = fresh.run(fresh.python, "-c", "import rnndoctor; print(rnndoctor.__file__)")
    assert Path(where.stdout.strip()).is_relative_to(fresh.root), where.stdout + where.stderr


def test_every_public_name_resolves(fresh: Fresh) -> None:
    code = "import rnndoctor; print(len([getattr(rnndoctor, n) for n in rnndoctor.__all__]))"
    result = fresh.run(fresh.python, "-c", code)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == len(__import__("rnndoctor").__all__)


def test_the_console_script_and_python_m(fresh: Fresh) -> None:
    for argv in ([fresh.bin / "rnndoctor"], [fresh.python, "-m", "rnndoctor"]):
        result = fresh.run(*argv, "check", "nn.LSTM(50, 100)", "--input", "10,32,25")
        assert result.returncode == 1, result.stderr
        assert result.stdout.startswith("error[RNN103]: `input` has 25 features"), result.stdout


def test_the_pytest_plugin(fresh: Fresh, tmp_path: Path) -> None:
    (tmp_path / "test_model.py").write_text(FAILING_TEST)
    result = fresh.run(fresh.python, "-m", "pytest", "-p", "no:cacheprovider", "--rnndoctor", "test_model.py",
                       cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "RNN103" in result.stdout


def test_load_ext_in_ipython(fresh: Fresh) -> None:
    cell = "%load_ext rnndoctor\nimport torch\ntorch.nn.LSTM(50, 100)(torch.randn(10, 32, 25))\n"
    result = fresh.run(fresh.python, "-m", "IPython", "--no-banner", "--colors=NoColor", "-c", cell)
    assert "RNN103" in result.stdout + result.stderr, result.stdout + result.stderr
