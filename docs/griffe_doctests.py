"""Griffe extensions (named in docs/mkdocs.yml) for dualrev's docstrings.

dualrev's docstrings show examples as doctest sessions (``>>>`` lines and
their output), not inside Markdown fences. Read as Markdown, ``>>>`` would
start nested block quotes and an output such as ``[0.1, 0.5]`` under a list
could read as a link. This extension wraps each doctest session in a
```` ```pycon ```` fence before the docstring is rendered.

The same extension shows a slot with a docstring (``__slots__ = {"primal":
"The value..."}``, as ``Dual.primal``) as an instance attribute with that
docstring: inspected, a slot is a member descriptor, which Griffe would
show as a class attribute whose value is ``<member 'primal' of ...>``.
"""

import inspect
import types

import griffe

FENCE = "```"


def fence_doctests(text):
    """``text`` with every doctest session (a ``>>>`` line up to the next
    blank line) inside a ``pycon`` fence; fenced text is left alone."""
    out, in_session, in_fence = [], False, False
    for line in text.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(FENCE) and not in_session:
            in_fence = not in_fence
        elif not in_fence and not in_session and stripped.startswith(">>>"):
            indent = line[:len(line) - len(stripped)]
            out.append(f"{indent}{FENCE}pycon")
            in_session = True
        elif in_session and not stripped:
            out.append(f"{indent}{FENCE}")
            in_session = False
        out.append(line)
    if in_session:
        out.append(f"{indent}{FENCE}")
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    def on_instance(self, *, obj, **kwargs):
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence_doctests(obj.docstring.value)

    def on_attribute_instance(self, *, node, attr, **kwargs):
        slot = getattr(node, "obj", None)
        if isinstance(slot, types.MemberDescriptorType):
            attr.value = None
            attr.labels.discard("class-attribute")
            attr.labels.add("instance-attribute")
            doc = inspect.getdoc(slot)  # a slot's __doc__ is None: inspect reads __slots__
            if doc and attr.docstring is None:
                attr.docstring = griffe.Docstring(fence_doctests(doc), parent=attr)
