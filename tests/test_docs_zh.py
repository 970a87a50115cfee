"""The Chinese documentation (``docs/pages/zh/``) follows the English pages.

* Every English page has a Chinese page: ``tutorials/X.md`` and
  ``guides/X.md`` are ``zh/X.md``, ``index.md`` is ``zh/index.md`` and the API
  overview ``api/index.md`` is ``zh/api.md``.  (The other API pages are made
  from the English docstrings; the Chinese overview links to them.)
* Every heading of a Chinese page names its anchor, ``## 标题 {#slug}``, and
  the slug is one of the English page's own, so ``/zh/X/#slug`` and
  ``/X/#slug`` are the same section.
* Chinese prose quotes with “…”, not with ASCII quotes or 「」.
* The code and the printed output are the English page's (comments may be
  translated); ``tests/test_docs.py`` runs them.
* The built site's search index splits Chinese text into words (jieba, at
  build time), so a search for 梯度 finds the pages about gradients.
"""

import importlib.util
import io
import json
import os
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = DOCS / "pages"
ZH = PAGES / "zh"

FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*$", re.M)
ANCHOR = re.compile(r"\{#([A-Za-z0-9_-]+)\}$")


def english_pages():
    """The English pages that need a Chinese one: all but the API reference
    pages generated from docstrings (the API overview does need one)."""
    pages = []
    for path in sorted(PAGES.rglob("*.md")):
        relative = path.relative_to(PAGES).as_posix()
        if relative.startswith("zh/"):
            continue
        if relative.startswith("api/") and relative != "api/index.md":
            continue
        pages.append(relative)
    return pages


def chinese_page(english):
    """The path under docs/pages of the Chinese page of an English page."""
    if english == "index.md":
        return "zh/index.md"
    if english == "api/index.md":
        return "zh/api.md"
    return "zh/" + english.rpartition("/")[2]


PAIRS = [(english, chinese_page(english)) for english in english_pages()]


def _read(relative):
    return (PAGES / relative).read_text(encoding="utf-8")


def _without_code(text):
    """The markdown with fenced blocks blanked out (line numbers kept)."""
    return FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def _line(text, position):
    return text.count("\n", 0, position) + 1


def english_anchors(relative):
    """The ids MkDocs gives the headings of an English page (the toc
    extension's slugs, as in docs/mkdocs.yml)."""
    markdown = pytest.importorskip("markdown", reason="markdown (a dependency of mkdocs) "
                                                      "makes the English anchors")
    md = markdown.Markdown(extensions=["toc", "attr_list", "admonition", "tables"])
    md.convert(_without_code(_read(relative)))
    ids = []

    def walk(tokens):
        for token in tokens:
            ids.append(token["id"])
            walk(token["children"])
    walk(md.toc_tokens)
    return ids


def test_pairs_are_found():
    """The pairing itself: the tutorials, the guides, home and the API overview."""
    english = [e for e, _ in PAIRS]
    assert {"index.md", "api/index.md", "tutorials/autograd-basics.md",
            "guides/from-pytorch.md"} <= set(english)
    assert "api/func.md" not in english
    assert len({z for _, z in PAIRS}) == len(PAIRS), "two English pages map to one zh page"


@pytest.mark.parametrize("english, chinese", PAIRS, ids=[e for e, _ in PAIRS])
def test_every_english_page_has_a_chinese_page(english, chinese):
    assert (PAGES / chinese).is_file(), (
        f"docs/pages/{english} has no Chinese page: translate it into docs/pages/{chinese} "
        "and add it to the 中文 section of docs/mkdocs.yml")


def test_every_chinese_page_has_an_english_page():
    mapped = {z for _, z in PAIRS}
    orphans = sorted(p.relative_to(PAGES).as_posix() for p in ZH.glob("*.md")
                     if p.relative_to(PAGES).as_posix() not in mapped)
    assert not orphans, f"Chinese pages without an English page: {orphans}"


def test_every_chinese_page_is_in_the_nav():
    config = (DOCS / "mkdocs.yml").read_text(encoding="utf-8")
    missing = [z for _, z in PAIRS if f": {z}" not in config]
    assert not missing, f"not in the nav of docs/mkdocs.yml: {missing}"


@pytest.mark.parametrize("english, chinese", PAIRS, ids=[z for _, z in PAIRS])
def test_headings_have_the_english_anchors(english, chinese):
    if not (PAGES / chinese).is_file():
        pytest.skip(f"no {chinese} yet")
    text = _without_code(_read(chinese))
    known = set(english_anchors(english))
    seen = []
    for match in HEADING.finditer(text):
        where = f"docs/pages/{chinese}:{_line(text, match.start())}"
        anchor = ANCHOR.search(match.group(2))
        assert anchor, (f"{where}: the heading {match.group(0)!r} names no anchor; "
                        "end it with {#slug}, the slug of the English heading")
        assert anchor.group(1) in known, (
            f"{where}: {{#{anchor.group(1)}}} is no anchor of docs/pages/{english} "
            f"(its anchors: {sorted(known)})")
        seen.append(anchor.group(1))
    assert len(seen) == len(set(seen)), f"docs/pages/{chinese}: an anchor used twice"


# Prose without code: fenced blocks, inline code, attribute lists and the
# ASCII-quoted title of an admonition (markdown's own syntax) are left out.
_INLINE_CODE = re.compile(r"(`+)(.+?)\1", re.S)
_ATTR_LIST = re.compile(r"\{[^{}\n]*\}")
_ADMONITION = re.compile(r'^(?:!!!|\?\?\?\+?)[ \t]+[\w-]+(?:[ \t]+"[^"\n]*")?', re.M)


def prose(text):
    text = _without_code(text)
    text = _INLINE_CODE.sub(lambda m: " " * len(m.group(0)), text)
    text = _ADMONITION.sub("", text)
    return _ATTR_LIST.sub("", text)


@pytest.mark.parametrize("chinese", sorted(p.name for p in ZH.glob("*.md")))
def test_chinese_prose_uses_chinese_quotes(chinese):
    text = prose((ZH / chinese).read_text(encoding="utf-8"))
    bad = [(_line(text, m.start()), text.splitlines()[_line(text, m.start()) - 1].strip())
           for m in re.finditer(r'["「」『』]', text)]
    assert not bad, (f"docs/pages/zh/{chinese}: quote Chinese prose with “…”, not ASCII "
                     f"quotes or 「」 (outside code): {bad[:5]}")


def test_prose_check_sees_quotes():
    """The checker itself: an ASCII quote in prose is found; in code it is not."""
    page = '# 标题 {#t}\n\n这是"引用"。\n\n```python\nx = "a"\n```\n\n`y = "b"`\n'
    assert prose(page).count('"') == 2
    assert prose('!!! note "标题"\n    正文\n').count('"') == 0


def _code_blocks(text):
    return [(language, body) for language, body in FENCE.findall(text)
            if language in ("python", "output")]


def _without_comments(source):
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)
              if t.type != tokenize.COMMENT]
    return "\n".join(line.rstrip() for line in tokenize.untokenize(tokens).splitlines()
                     if line.strip())


@pytest.mark.parametrize("english, chinese", PAIRS, ids=[z for _, z in PAIRS])
def test_code_and_output_are_the_english_pages(english, chinese):
    if not (PAGES / chinese).is_file():
        pytest.skip(f"no {chinese} yet")
    ours, theirs = _code_blocks(_read(chinese)), _code_blocks(_read(english))
    assert len(ours) == len(theirs), (
        f"docs/pages/{chinese} has {len(ours)} python/output blocks, "
        f"docs/pages/{english} has {len(theirs)}: the translation is out of date")
    for k, ((language, body), (english_language, english_body)) in enumerate(zip(ours, theirs)):
        assert language == english_language, f"{chinese}: block {k + 1} is {language}"
        if language == "python":
            body, english_body = _without_comments(body), _without_comments(english_body)
        assert body == english_body, (
            f"docs/pages/{chinese}: the {language} block number {k + 1} differs from "
            f"docs/pages/{english}'s (only comments may be translated)")


# -- the search index of the built site -------------------------------------------

def _site_tools_missing():
    for module in ("mkdocs", "material", "mkdocstrings_handlers", "matplotlib", "jieba"):
        if importlib.util.find_spec(module) is None:
            return module
    return None


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    missing = _site_tools_missing()
    if missing:
        pytest.skip(f"{missing} is not installed: building the site and its Chinese search "
                    "index needs the docs extra with jieba (pip install -e '.[docs]' jieba)")
    site = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    # --no-strict (docs/mkdocs.yml says strict): tests/test_docs.py checks
    # that; here a warning elsewhere in the site must not hide the index.  Not --quiet either: the
    # warnings about the Chinese pages are read below (--quiet drops them).
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--no-strict",
                          "-f", str(DOCS / "mkdocs.yml"), "-d", str(site)],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    return index, run.stdout + run.stderr


def test_chinese_pages_build_without_warnings(built_site):
    """No warning of the build (a broken link, a missing anchor) names a zh page."""
    _, log = built_site
    warnings = [line for line in log.splitlines()
                if line.startswith("WARNING") and "zh/" in line]
    assert not warnings, "\n".join(warnings)


@pytest.fixture(scope="module")
def search_index(built_site):
    return built_site[0]


def _words(entry, separator):
    text = re.sub(r"<[^>]+>", " ", entry["title"] + " " + entry["text"])
    return [word for word in re.split(separator, text) if word]


def test_search_index_is_for_english_and_chinese(search_index):
    assert set(search_index["config"]["lang"]) == {"en", "zh"}


def test_search_finds_chinese_words(search_index):
    """The index text of a Chinese page, split with the index's own separator
    (what lunr does in the browser), has 梯度 as a word: jieba has cut the
    text into words and joined them with U+200B, and the separator splits
    there.  Unsegmented, 梯度 would only be part of a run such as 梯度是累加的."""
    separator = search_index["config"]["separator"]
    page = [e for e in search_index["docs"] if e["location"].startswith("zh/autograd-basics/")]
    assert page, "zh/autograd-basics.md is not in the search index"
    words = [w for entry in page for w in _words(entry, separator)]
    assert "梯度" in words
    assert "张量" in words
    # The section titles are segmented too: 梯度是累加的 is 梯度 / 是 / 累加 / 的.
    section = [e for e in page if e["location"].endswith("#gradients-add-up")]
    assert section and "梯度" in _words({"title": section[0]["title"], "text": ""}, separator)
    # English pages are still split into English words.
    english = [e for e in search_index["docs"]
               if e["location"].startswith("tutorials/autograd-basics/")]
    assert "gradient" in [w.lower() for e in english for w in _words(e, separator)]
