"""MkDocs hooks of dualrev's site (named in docs/mkdocs.yml).

* The figures (``docs/figures.py``) are computed by dualrev and drawn by
  matplotlib on every build and added to the site as ``images/*.png``: no
  picture is kept in the repository, and a change to dualrev shows in them.
* ``docs/design.md`` lives beside the configuration, outside the pages
  folder (MkDocs wants the pages in a folder of their own); it is added to
  the site as the page ``design.md``.
* The API pages say which members to show (``members: public``, ...), and
  ``docs/api_members.py`` turns that into the names, read from dualrev
  itself, so a new public function appears without editing the pages.
* The table of supported functions (``docs/supported.py``) is made from
  dualrev's name table and NumPy maps on every build and put in place of
  ``<!-- supported-functions-table -->`` on ``guides/supported.md`` (English
  column headers) and ``zh/supported.md`` (Chinese), so it cannot drift.
* An API page that renders an entry as ``name(*args, **kwargs)`` fails the
  build: a reader would learn nothing of its parameters. (PyTorch's
  ``Function.apply`` takes the arguments of the user's ``forward``, so its
  signature is that, truly.)
"""

import importlib.util
import re
import sys
from pathlib import Path

from mkdocs.structure.files import File

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent


def _load(name):
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    spec = importlib.util.spec_from_file_location(f"dualrev_docs_{name}", DOCS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def on_files(files, config):
    files.append(File("design.md", src_dir=str(DOCS), dest_dir=config["site_dir"],
                      use_directory_urls=config["use_directory_urls"]))
    for name, data in _load("figures").render().items():
        files.append(File.generated(config, f"images/{name}", content=data))
    return files


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri.startswith("api/"):
        return _load("api_members").expand(markdown)
    if "<!-- supported-functions-table -->" in markdown:
        lang = "zh" if page.file.src_uri.startswith("zh/") else "en"
        return _load("supported").expand(markdown, lang)
    return markdown


_HIDDEN = re.compile(r"(\w+)\(\*args, \*\*kwargs\)")
_TRULY_VARIADIC = {"apply"}


def on_page_content(html, page, config, files):
    if page.file.src_uri.startswith("api/"):
        text = re.sub(r"<[^>]+>", "", html)
        hidden = sorted({m.group(1) for m in _HIDDEN.finditer(text)} - _TRULY_VARIADIC)
        if hidden:
            raise ValueError(f"{page.file.src_uri} renders {', '.join(hidden)} as "
                             "(*args, **kwargs): give them real signatures")
    return html
