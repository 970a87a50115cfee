"""The package is ready to publish: one source of the version, a license,
project links, a README whose links work on a package index, and a wheel
that holds the typing marker and stubs but no tests or docs (built when the
`build` tool is installed)."""

import importlib.util
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import dualrev as dr

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_the_version_has_one_source():
    project = PYPROJECT.split("[project]", 1)[1].split("\n[", 1)[0]
    assert re.search(r'^dynamic = \["version"\]', project, re.M)
    assert not re.search(r'^version = ', project, re.M)
    assert 'version = { attr = "dualrev.__version__" }' in PYPROJECT
    assert re.fullmatch(r"\d+\.\d+\.\d+", dr.__version__)


def test_license_and_project_links_are_declared():
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert 'license = "MIT"' in PYPROJECT
    urls = PYPROJECT.split("[project.urls]", 1)[1].split("\n[", 1)[0]
    for key in ("Homepage", "Documentation", "Repository", "Changelog"):
        assert re.search(rf'^{key} = "https://', urls, re.M), key


def test_the_readme_has_no_relative_links():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)]+)\)", readme)
    assert targets
    relative = [t for t in targets if not t.startswith(("https://", "http://", "#"))]
    assert not relative, f"a package index cannot follow these: {relative}"


def _setuptools_version():
    try:
        import setuptools
    except ImportError:
        return (0,)
    return tuple(int(p) for p in re.findall(r"\d+", setuptools.__version__)[:2])


@pytest.mark.skipif(importlib.util.find_spec("build") is None,
                    reason="the `build` tool is not installed (pip install build)")
def test_the_wheel_holds_the_types_and_no_tests_or_docs(tmp_path):
    command = [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path), str(ROOT)]
    if _setuptools_version() >= (77, 0):
        command.insert(4, "--no-isolation")  # the installed setuptools will do: no download
    run = subprocess.run(command, capture_output=True, text=True, timeout=600)
    output = run.stdout + run.stderr
    if run.returncode != 0 and "--no-isolation" not in command and (
            "No matching distribution" in output or "Could not find a version" in output):
        pytest.skip("an isolated build needs setuptools>=77 from a package index, which is "
                    "not reachable here")
    assert run.returncode == 0, output
    (wheel,) = tmp_path.glob("dualrev-*.whl")
    assert wheel.name.startswith(f"dualrev-{dr.__version__}-")
    names = zipfile.ZipFile(wheel).namelist()
    assert {"dualrev/py.typed", "dualrev/__init__.pyi", "dualrev/_tensor.pyi"} <= set(names)
    assert not [n for n in names if n.startswith(("tests/", "docs/", "benchmarks/"))]
    assert any(n.endswith("licenses/LICENSE") for n in names)
