"""What the API reference shows: dualrev's public names, and the ``members:``
lists of the API pages, computed from the package itself.

dualrev changes often, and a hand-kept list of members goes stale. So the
pages under ``docs/pages/api/`` say *which* members to show, not their names:

* ``members: public`` under ``::: some.module`` is replaced by the module's
  public names (its ``__all__``, or else the names it defines itself);
* ``members: exported-by-dualrev`` under ``::: some.module`` is replaced by
  the names that ``dualrev`` exports and that module defines, except those
  another API page renders already;
* a line ``<!-- dualrev: other exports -->`` is replaced by a list of the
  exports rendered on other pages (with links), then blocks for any export
  whose module no page mentions, so a new function is never left out.

``docs/hooks.py`` applies this when the site is built; ``tests/test_docs.py``
uses the same functions to check that every public name is rendered exactly
once. Needs only dualrev (not MkDocs).
"""

import importlib
import re
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import dualrev as dr  # noqa: E402

API_PAGES = Path(__file__).resolve().parent / "pages" / "api"

#: The modules whose public names are dualrev's public surface.
PUBLIC_MODULES = ("dualrev", "dualrev.func", "dualrev.func.coloring", "dualrev.autograd",
                  "dualrev.optim", "dualrev.linalg", "dualrev.special", "dualrev.nn.functional",
                  "dualrev.cuda")

OTHER_EXPORTS = "<!-- dualrev: other exports -->"
_DIRECTIVE = re.compile(r"^:::\s*(\S+)\s*$")
_MEMBERS = re.compile(r"^(\s*)members:\s*(public|exported-by-dualrev)\s*$")


def public_names(module):
    """The public names of a module but its submodules: ``__all__`` if it
    has one; for the package itself everything it exports; otherwise the
    names the module defines."""
    if isinstance(module, str):
        module = importlib.import_module(module)
    if hasattr(module, "__all__"):  # (submodules have pages or sections of their own)
        return [n for n in module.__all__
                if not isinstance(getattr(module, n, None), types.ModuleType)]
    if module is dr:
        return [n for n in dir(dr) if not n.startswith("_")
                and not isinstance(getattr(dr, n), types.ModuleType)]
    return [n for n, obj in vars(module).items() if not n.startswith("_")
            and getattr(obj, "__module__", None) == module.__name__]


def home(name, obj):
    """(module, attribute) under which the API pages render ``obj``, exported
    by dualrev as ``name``: where it is defined, or ``("dualrev", name)`` if
    that module is private (``dr.grad``, defined in ``dualrev._unified``, is
    documented as ``dualrev.grad``: its anchor is the name a reader uses)."""
    module, attribute = defined_in(name, obj)
    if not _private(module):
        return module, attribute
    return "dualrev", attribute if getattr(dr, attribute, None) is obj else name


def _private(module):
    return any(part.startswith("_") for part in module.split("."))


def defined_in(name, obj):
    """(module, attribute) where ``obj``, exported by dualrev as ``name``, is
    defined."""
    if isinstance(obj, dr.dtype):
        return "dualrev.dtypes", name
    module_name = getattr(obj, "__module__", None) or "dualrev"
    module = importlib.import_module(module_name)
    for attribute in (name, getattr(obj, "__name__", None)):
        if attribute and getattr(module, attribute, None) is obj:
            return module_name, attribute
    for attribute, value in vars(module).items():
        if value is obj and not attribute.startswith("__"):
            return module_name, attribute
    return "dualrev", name


def _directives(text):
    """(identifier, members line or None, line index of the members line)
    for each ``:::`` directive of a page."""
    lines = text.splitlines()
    found = []
    for i, line in enumerate(lines):
        m = _DIRECTIVE.match(line)
        if not m:
            continue
        members, at = None, None
        for j in range(i + 1, len(lines)):
            if not lines[j].startswith(" ") or not lines[j].strip():
                break
            if lines[j].strip().startswith("members:"):
                members, at = lines[j].split(":", 1)[1].strip(), j
        found.append((m.group(1), members, at))
    return found


def _explicit(members):
    return [n.strip() for n in members.strip("[]").split(",") if n.strip()]


def rendered_elsewhere(pages=None):
    """{qualified name: page name} rendered by the API pages other than
    through ``exported-by-dualrev``."""
    pages = pages if pages is not None else _read_pages()
    shown = {}
    for page, text in pages.items():
        for ident, members, _ in _directives(text):
            if members is None:
                shown[ident] = page
            elif members == "public":
                for n in public_names(ident):
                    shown[f"{ident}.{n}"] = page
            elif members.startswith("["):
                for n in _explicit(members):
                    shown[f"{ident}.{n}"] = page
    return shown


def _read_pages():
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(API_PAGES.glob("*.md"))}


def _exports_by_home():
    """{module where defined: {attribute: [names dualrev exports it as]}}."""
    by_home = {}
    for name in public_names(dr):
        module, attribute = defined_in(name, getattr(dr, name))
        by_home.setdefault(module, {}).setdefault(attribute, []).append(name)
    return by_home


def _target(module, attribute, names):
    """The qualified name a page renders for ``module.attribute``."""
    return ".".join(home(names[0], getattr(importlib.import_module(module), attribute)))


def _shows_bases(obj):
    """Whether a class's bases are worth showing: builtins (``RuntimeError``,
    ``dict``) or public classes, not the internal ones (a core box, a
    ``_Private`` helper), whose names mean nothing to a reader."""
    return all(base.__module__ == "builtins" or not (
        _private(base.__module__) or base.__name__.startswith("_")
        or base.__module__.startswith("dualrev.core")) for base in obj.__bases__)


def _one_by_one(module, attributes, heading_level=3):
    """A directive for each attribute (given as {attribute: exported names}):
    the heading is the bare name, and the module's own docstring (often about
    internals) is not shown. Other names of the same object are noted."""
    out = []
    mod = importlib.import_module(module)
    dtypes = {a: getattr(mod, a) for a in attributes if isinstance(getattr(mod, a), dr.dtype)}
    if dtypes:  # one table, not a heading per dtype name
        out += ["| name | dtype | NumPy |", "|---|---|---|"]
        out += [f"| `dr.{a}` | `{d}` | `numpy.{d.numpy}` |"
                for a, d in dtypes.items()]
        out += [""]
    for attribute, names in attributes.items():
        if attribute in dtypes:
            continue
        out += [f"::: {_target(module, attribute, names)}", "    options:",
                "      show_root_heading: true", "      show_root_full_path: false",
                f"      heading_level: {heading_level}"]
        obj = getattr(mod, attribute)
        out += [] if not isinstance(obj, type) or _shows_bases(obj) else ["      show_bases: false"]
        out += [""]
        others = [n for n in names if n != attribute]
        if others:
            out += ["Exported as " + ", ".join(f"`dr.{n}`" for n in names) + ".", ""]
    return out


def expand(text, pages=None):
    """A page's markdown with its ``members:`` markers and the other-exports
    marker replaced by names."""
    pages = pages if pages is not None else _read_pages()
    elsewhere = rendered_elsewhere(pages)
    by_home = _exports_by_home()
    lines = text.splitlines()
    placed = set()
    replacements = {}  # line index of a directive -> (end index, new lines)
    for ident, members, at in _directives(text):
        if members == "public":
            indent = _MEMBERS.match(lines[at]).group(1)
            lines[at] = f"{indent}members: [{', '.join(public_names(ident))}]"
        elif members == "exported-by-dualrev":
            names = {a: n for a, n in by_home.get(ident, {}).items()
                     if _target(ident, a, n) not in elsewhere}
            placed.add(ident)
            start = next(i for i, line in enumerate(lines) if _DIRECTIVE.match(line)
                         and _DIRECTIVE.match(line).group(1) == ident and i < at)
            replacements[start] = (at, _one_by_one(ident, names))
    for start in sorted(replacements, reverse=True):
        end, new_lines = replacements[start]
        while end + 1 < len(lines) and lines[end + 1].startswith(" ") and lines[end + 1].strip():
            end += 1
        lines[start:end + 1] = new_lines
    if OTHER_EXPORTS in lines:
        lines[lines.index(OTHER_EXPORTS)] = _other_exports(by_home, elsewhere, placed, pages)
    return "\n".join(lines) + "\n"


def _other_exports(by_home, elsewhere, placed, pages):
    linked, unplaced = [], {}
    for module, attributes in sorted(by_home.items()):
        for attribute, names in attributes.items():
            target = _target(module, attribute, names)
            if target in elsewhere:
                page = elsewhere[target]
                linked += [f"* [`dualrev.{n}`][{target}]: see the "
                           f"[{pages_title(page)}]({page}) page" for n in names]
            elif module not in placed:
                unplaced.setdefault(module, {})[attribute] = names
    out = []
    if linked:
        out += ["These are exported by `dualrev` too and documented on their own pages:", ""]
        out += linked + [""]
    for module, names in sorted(unplaced.items()):
        out += [f"### From `{module}`", ""] + _one_by_one(module, names, heading_level=4)
    return "\n".join(out)


def pages_title(page):
    text = (API_PAGES / page).read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip().strip("`")
    return page


def rendered(pages=None):
    """Every qualified name the expanded API pages render, with a count."""
    pages = pages if pages is not None else _read_pages()
    counts = {}
    for text in pages.values():
        for ident, members, _ in _directives(expand(text, pages)):
            names = [ident] if members is None else [f"{ident}.{n}" for n in _explicit(members)]
            for q in names:
                counts[q] = counts.get(q, 0) + 1
    return counts
