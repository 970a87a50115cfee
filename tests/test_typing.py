"""Types: the stubs of the surface that the name table makes are up to
date, and mypy reads the public API as typed.

tests/typing/*.py are snippets: each ``reveal_type(...)  # T`` says what
mypy must reveal there (module paths left out), and mypy must report no
error in them or in the stubs and modules that ``[tool.mypy]`` in
pyproject.toml lists. The snippets' wrong calls carry ``# type: ignore[code]``,
which is an error itself where mypy finds no error of that code to ignore
(``warn_unused_ignores``). Run as scripts, the snippets' values must have
the revealed types too.

    python -m dualrev.stubs   # rewrite the stubs after a change to the table
"""

import difflib
import re
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import dualrev as dr
from dualrev import names, stubs
from dualrev.core.primitive import TABLE, defprim

ROOT = Path(__file__).resolve().parents[1]
SNIPPETS = sorted((ROOT / "tests" / "typing").glob("*.py"))
WRITTEN = stubs.stubs()

REVEAL = re.compile(r"reveal_type\(.*\)  # (.+)$")
MYPY_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): (?P<kind>note|error): (?P<text>.*)$")


@pytest.mark.parametrize("path", sorted(WRITTEN), ids=lambda p: p.name)
def test_the_stubs_are_what_the_table_makes_now(path):
    old = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    diff = list(difflib.unified_diff(old, WRITTEN[path].splitlines(), "in the tree", "made now",
                                     lineterm="", n=1))
    assert not diff, (f"{path.name} is out of date: run python -m dualrev.stubs\n"
                      + "\n".join(diff[:40]))


def test_a_primitive_added_to_the_table_is_in_the_stubs():
    """So the test above fails until the stubs are written again."""
    prim = defprim("conjugate", np.conjugate, linear=True, vjp=lambda g: prim(g),
                   public="conjugate conj")
    names.install(vars(dr))
    try:
        written = {path.name: text for path, text in stubs.stubs().items()}
    finally:
        delattr(TABLE, "conjugate")
        names.install(vars(dr))
    assert "\ndef conj(input: TensorLike) -> Tensor: ...\n" in written["__init__.pyi"]
    assert "\n    def conjugate_(self) -> Tensor: ...\n" in written["_tensor.pyi"]
    assert "\n    def conj(self) -> Dual: ...\n" in written["dual.pyi"]


def expected(path):
    """{line: revealed type} of a snippet."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return {number: match[1] for number, line in enumerate(lines, 1)
            if (match := REVEAL.search(line))}


def short(revealed):
    """A type as mypy prints it, without module paths (dualrev._tensor.Tensor: Tensor)."""
    return re.sub(r"\b(?:[A-Za-z_]\w*\.)+(?=[A-Za-z_])", "", revealed)


def test_mypy_reads_the_snippets_as_they_say(tmp_path):
    """One mypy run over everything ``[tool.mypy]`` lists, with a fresh cache."""
    pytest.importorskip("mypy", reason="mypy is in the test extra: pip install -e '.[test]'")
    run = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path)],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode in (0, 1), run.stdout + run.stderr  # 2: mypy could not run
    wanted = {(path.relative_to(ROOT).as_posix(), line, revealed)
              for path in SNIPPETS for line, revealed in expected(path).items()}
    assert wanted, "no reveal_type found in tests/typing"
    found = set()
    for line in run.stdout.splitlines():
        match = MYPY_LINE.match(line)
        if match and match["kind"] == "error":
            found.add((match["path"], int(match["line"]), match["text"]))
        elif match and match["text"].startswith("Revealed type is "):
            revealed = match["text"][len("Revealed type is "):].strip('"')
            found.add((match["path"], int(match["line"]), short(revealed)))
    assert found == wanted, run.stdout


@pytest.mark.parametrize("path", SNIPPETS, ids=lambda p: p.name)
def test_the_snippets_run_and_their_values_have_the_revealed_types(path):
    reveals = expected(path)
    seen = {}

    def reveal_type(value):
        seen[sys._getframe(1).f_lineno] = value
        return value
    runpy.run_path(str(path), init_globals={"reveal_type": reveal_type})
    assert set(seen) == set(reveals)
    for line, value in seen.items():
        assert _may_be(value, reveals[line]), f"{path.name}:{line}: {value!r} is no {reveals[line]}"


def _may_be(value, revealed):
    """Whether ``value`` is of a type mypy revealed, by its outer name: the
    class or a base of it, a callable for a ``def``, either of a union."""
    if revealed.startswith("def "):
        return callable(value)
    names = {cls.__name__ for cls in type(value).__mro__}
    return any(t == "Any" or (t == "None" and value is None) or t.partition("[")[0] in names
               for t in _union(revealed))


def _union(revealed):
    """The members of a union, split at its top level only."""
    members, depth, start = [], 0, 0
    for i, char in enumerate(revealed):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if depth == 0 and revealed.startswith(" | ", i):
            members.append(revealed[start:i])
            start = i + 3
    return members + [revealed[start:]]
