"""Nested inputs (pytrees, as JAX calls them): tuples, lists, dicts and
namedtuples of leaves, flattened to a list and rebuilt. ``None`` is an empty
subtree."""


class TreeDef:
    """The structure of a flattened tree: its node kind and children."""

    __slots__ = ("kind", "meta", "children")

    def __init__(self, kind, meta, children):
        self.kind, self.meta, self.children = kind, meta, children

    def __eq__(self, other):
        return (isinstance(other, TreeDef) and self.kind == other.kind
                and self.meta == other.meta and self.children == other.children)

    def __repr__(self):
        if self.kind == "leaf":
            return "*"
        if self.kind == "none":
            return "None"
        return f"{self.kind}({', '.join(map(repr, self.children))})"


LEAF = TreeDef("leaf", None, ())


def flatten(tree):
    """``(leaves, treedef)`` of a nested structure."""
    leaves = []
    return leaves, _flatten(tree, leaves)


def _flatten(tree, leaves):
    if tree is None:
        return TreeDef("none", None, ())
    if isinstance(tree, tuple) and hasattr(tree, "_fields"):
        return TreeDef("namedtuple", type(tree), tuple(_flatten(c, leaves) for c in tree))
    if type(tree) in (tuple, list):
        return TreeDef(type(tree).__name__, None, tuple(_flatten(c, leaves) for c in tree))
    if type(tree) is dict:
        keys = tuple(sorted(tree, key=repr))
        return TreeDef("dict", keys, tuple(_flatten(tree[k], leaves) for k in keys))
    leaves.append(tree)
    return LEAF


def unflatten(treedef, leaves):
    """The structure ``treedef`` rebuilt around ``leaves`` (in order)."""
    it = iter(leaves)
    out = _unflatten(treedef, it)
    if next(it, _END) is not _END:
        raise ValueError("more leaves than the structure holds")
    return out


_END = object()


def _unflatten(treedef, it):
    kind = treedef.kind
    if kind == "leaf":
        return next(it)
    if kind == "none":
        return None
    children = [_unflatten(c, it) for c in treedef.children]
    if kind == "tuple":
        return tuple(children)
    if kind == "list":
        return children
    if kind == "namedtuple":
        return treedef.meta(*children)
    return dict(zip(treedef.meta, children))
