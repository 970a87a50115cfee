"""The documentation is tested like code.

* Every fenced ```python block in ``docs/**/*.md`` and in ``README.md`` runs,
  in order, in one namespace per page, as a reader would run them one after
  the other.  A ```python block followed directly by an ```output block must
  print exactly that output (``...`` in the expected text matches anything,
  as doctest's ELLIPSIS; an output that ends in ``Traceback (most recent call
  last):`` / ``...`` / ``SomeError: message`` expects the block to raise
  that).  The markdown is read with Sybil's fenced-code-block lexer and the
  examples are evaluated by Sybil; the pairing of code and output is the
  parser below.  Without Sybil (it is in the ``test`` and ``docs`` extras)
  these tests skip with a reason.
* Every fenced block names a language we know, so a Python example cannot
  escape the tests by being labelled ``py`` or by having no label.
* The figures of the site (``docs/figures.py``) render, when matplotlib is
  installed; the whole site builds with ``mkdocs build --strict``, when the
  ``docs`` extra is installed.
* The API reference pages name every public function, and every public name
  has a docstring.
"""

import contextlib
import difflib
import doctest
import importlib.util
import inspect
import io
import os
import re
import subprocess
import sys
import traceback
from pathlib import Path

import pytest

import dualrev as dr

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = DOCS / "pages"

# Pages whose code is shown, not run, and why.  Nothing else may be left out.
NOT_RUN = {
    DOCS / "design.md": "design notes: their one code block is an excerpt of the rule table "
                        "(defprim's shape inside dualrev/rules), not a program",
}

# Fence languages: ``python`` runs, ``output`` is checked against the python
# block right before it; the rest are shown only.
RUN, OUTPUT = "python", "output"
SHOWN_ONLY = {"sh", "console", "text", "toml", "yaml"}

TRACEBACK = "Traceback (most recent call last):"

HAVE_SYBIL = importlib.util.find_spec("sybil") is not None
needs_sybil = pytest.mark.skipif(
    not HAVE_SYBIL, reason="the doc-test tool Sybil is not installed "
                           "(pip install -e '.[test]' or '.[docs]')")


def markdown_files():
    files = sorted(p for p in DOCS.rglob("*.md") if not any(s.startswith(".") for s in p.parts))
    return [ROOT / "README.md"] + files


def _id(path):
    return path.relative_to(ROOT).as_posix()


# -- reading the markdown ---------------------------------------------------------

def _fences(document):
    """(region, language) for every fenced code block of a Sybil document."""
    from sybil.parsers.markdown.lexers import RawFencedCodeBlockLexer
    lexer = RawFencedCodeBlockLexer(
        info_pattern=re.compile(r"(?P<info>[^\n]*)$\n", re.MULTILINE),
        mapping={"info": "info", "source": "source"})
    for region in lexer(document):
        info = region.lexemes["info"].strip()
        yield region, (info.split()[0] if info else "")


def _line_of(document, position):
    return document.text.count("\n", 0, position) + 1


class CodeAndOutputParser:
    """A Sybil parser: each ```python block is an example; an ```output
    block right after it (nothing but blank lines between) is what the
    example must print."""

    def __call__(self, document):
        from sybil import Region
        fences = list(_fences(document))
        for k, (region, language) in enumerate(fences):
            if language != RUN:
                continue
            expected = None
            if k + 1 < len(fences):
                after, after_language = fences[k + 1]
                if after_language == OUTPUT and not document.text[region.end:after.start].strip():
                    expected = str(after.lexemes["source"])
            source = str(region.lexemes["source"])
            yield Region(region.start, region.end,
                         parsed=(source, expected, _line_of(document, region.start)),
                         evaluator=evaluate)


def _normalise(text):
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def _matches(want, got):
    want, got = _normalise(want), _normalise(got)
    return want == got or doctest.OutputChecker().check_output(
        want + "\n", got + "\n", doctest.ELLIPSIS)


def _difference(want, got):
    diff = difflib.unified_diff(_normalise(want).splitlines(), _normalise(got).splitlines(),
                                "expected (the output block)", "printed", lineterm="")
    return "\n".join(diff)


def evaluate(example):
    """Run one ```python block; compare what it prints with its output block.
    Returns a message on a mismatch (Sybil's convention), None otherwise."""
    source, expected, fence_line = example.parsed
    # Pad so that tracebacks give the line numbers of the markdown file.
    code = compile("\n" * fence_line + source, example.path, "exec", dont_inherit=True)
    printed = io.StringIO()
    raised = None
    with contextlib.redirect_stdout(printed):
        try:
            exec(code, example.namespace)
        except Exception as error:  # noqa: BLE001 - compared with the output block below
            if expected is None or TRACEBACK not in expected:
                raise
            raised = error
    got = printed.getvalue()
    where = f"{example.path}, the code block at line {fence_line}"
    if expected is None:
        return None
    if TRACEBACK in expected:
        want_printed, _, want_error = expected.partition(TRACEBACK)
        if raised is None:
            return f"{where} was to raise ({want_error.strip().splitlines()[-1]}) but did not"
        want_error = "\n".join(line for line in want_error.strip("\n").splitlines()
                               if line.strip() != "...")
        got_error = "".join(traceback.format_exception_only(type(raised), raised))
        if not _matches(want_error, got_error):
            return f"{where} raised another error:\n{_difference(want_error, got_error)}"
        expected = want_printed
    if not _matches(expected, got):
        return f"{where} printed something else:\n{_difference(expected, got)}"
    return None


# -- the pages run -----------------------------------------------------------------

@pytest.fixture
def clean_dualrev_state():
    """A page may change global settings (default dtype, printing); put them back."""
    dtype = dr.get_default_dtype()
    yield
    dr.set_default_dtype(dtype)
    dr.set_printoptions(precision=4, threshold=1000, edgeitems=3, linewidth=80, sci_mode=None)
    assert dr.is_grad_enabled(), "a page left gradient recording switched off"


@needs_sybil
@pytest.mark.parametrize("path", markdown_files(), ids=_id)
def test_page_runs(path, clean_dualrev_state):
    if path in NOT_RUN:
        pytest.skip(NOT_RUN[path])
    from sybil import Document
    document = Document.parse(str(path), CodeAndOutputParser())
    document.namespace["__name__"] = "__docs__"
    examples = list(document)
    for example in examples:
        example.evaluate()


@needs_sybil
@pytest.mark.parametrize("path", markdown_files(), ids=_id)
def test_every_fence_names_a_known_language(path):
    from sybil import Document
    document = Document(path.read_text(encoding="utf-8"), str(path))
    known = {RUN, OUTPUT} | SHOWN_ONLY
    for region, language in _fences(document):
        line = _line_of(document, region.start)
        assert language in known, (
            f"{_id(path)}:{line}: a code block labelled {language!r}; label Python "
            f"```python (it runs), printed text ```output (it is checked), or one of "
            f"{sorted(SHOWN_ONLY)} (shown only)")


@needs_sybil
def test_output_blocks_follow_code():
    """An ```output block that follows no ```python block is never checked."""
    from sybil import Document
    for path in markdown_files():
        document = Document(path.read_text(encoding="utf-8"), str(path))
        fences = list(_fences(document))
        for k, (region, language) in enumerate(fences):
            if language != OUTPUT:
                continue
            before = fences[k - 1] if k else None
            ok = (before is not None and before[1] == RUN
                  and not document.text[before[0].end:region.start].strip())
            assert ok, (f"{_id(path)}:{_line_of(document, region.start)}: an output block "
                        "must come right after the python block that prints it")


def test_a_wrong_output_fails(tmp_path):
    """The checker itself: a page whose output block is wrong must fail."""
    pytest.importorskip("sybil", reason="the doc-test tool Sybil is not installed")
    from sybil import Document
    page = tmp_path / "page.md"
    page.write_text("```python\nprint(1 + 1)\n```\n\n```output\n3\n```\n"
                    "```python\nraise ValueError('no')\n```\n\n```output\n"
                    f"{TRACEBACK}\n  ...\nValueError: no\n```\n", encoding="utf-8")
    examples = list(Document.parse(str(page), CodeAndOutputParser()))
    assert len(examples) == 2
    with pytest.raises(AssertionError, match="printed something else"):
        examples[0].evaluate()
    examples[1].evaluate()  # the expected error is what the block raises


# -- figures and the site build ----------------------------------------------------

def _load_figures():
    spec = importlib.util.spec_from_file_location("dualrev_docs_figures", DOCS / "figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_figures_render(tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib draws the figures of the docs "
                                             "(pip install -e '.[docs]')")
    figures = _load_figures()
    written = figures.write_all(tmp_path)
    assert sorted(p.name for p in written) == sorted(figures.FIGURES)
    for path in written:
        assert path.read_bytes().startswith(b"\x89PNG"), path
    for name in figures.FIGURES:
        assert any(f"images/{name}" in p.read_text(encoding="utf-8")
                   for p in PAGES.rglob("*.md")), f"no page shows images/{name}"


def test_site_builds_strictly(tmp_path):
    for module in ("mkdocs", "material", "mkdocstrings_handlers.python", "matplotlib"):
        if importlib.util.find_spec(module.split(".")[0]) is None:
            pytest.skip(f"{module} is not installed: the site needs the docs extra "
                        "(pip install -e '.[docs]')")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                          "-f", str(DOCS / "mkdocs.yml"), "-d", str(tmp_path / "site")],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / "site" / "index.html").exists()


# -- the public surface: documented, and in the API reference ----------------------

def _docs_module(name):
    spec = importlib.util.spec_from_file_location(f"dualrev_docs_{name}", DOCS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


API = _docs_module("api_members")  # what the API pages show; needs only dualrev


def public_surface():
    """(qualified name, object) for every public name: the names exported by
    dualrev and its public modules (docs/api_members.py says which), and the
    public methods and properties of Tensor and Dual."""
    for module_name in API.PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in API.public_names(module):
            yield f"{module_name}.{name}", getattr(module, name)
    for cls in (dr.Tensor, dr.Dual):
        for name in dir(cls):
            if name.startswith("_"):
                continue
            static = inspect.getattr_static(cls, name)
            if isinstance(static, (staticmethod, classmethod)):
                static = static.__func__
            if isinstance(static, property) or callable(static):
                yield f"dualrev.{cls.__name__}.{name}", static


def _has_doc(obj):
    if isinstance(obj, property):
        return bool(obj.__doc__ and obj.__doc__.strip())
    return bool(inspect.getdoc(obj))


def test_every_public_name_has_a_docstring():
    missing = [name for name, obj in public_surface() if not _has_doc(obj)]
    assert not missing, f"{len(missing)} public names have no docstring:\n" + "\n".join(missing)


def test_api_reference_shows_every_public_name_once():
    """The API pages, as the site build expands them, render each public
    function, class and dtype of dualrev and its public modules, and none
    twice (MkDocs would stop on the duplicate anchor)."""
    counts = API.rendered()
    twice = sorted(q for q, n in counts.items() if n > 1)
    assert not twice, "rendered on more than one API page: " + ", ".join(twice)
    linked = {target for target in counts}
    left_out = []
    for module_name in API.PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in API.public_names(module):
            obj = getattr(module, name)
            if module is dr:
                target = ".".join(API.home(name, obj))
            else:
                target = f"{module_name}.{name}"
            if isinstance(obj, dr.dtype):
                continue  # dtypes are listed in a table on the dualrev page
            if target not in linked:
                left_out.append(f"{module_name}.{name} (as {target})")
    assert not left_out, "not on any API page:\n" + "\n".join(left_out)


def test_api_pages_name_existing_objects():
    """Every object an API page names exists (a renamed function would
    otherwise only fail the site build)."""
    missing = []
    for qualified in API.rendered():
        module_name, _, attribute = qualified.rpartition(".")
        try:
            importlib.import_module(qualified)
            continue
        except ImportError:
            pass
        try:
            owner = importlib.import_module(module_name)
        except ImportError:  # a method or attribute of a class
            outer, _, cls = module_name.rpartition(".")
            owner = getattr(importlib.import_module(outer), cls, None)
        if owner is None or not hasattr(owner, attribute):
            missing.append(qualified)
    assert not missing, "API pages name objects that do not exist: " + ", ".join(missing)
