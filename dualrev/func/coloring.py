"""Graph coloring for sparse derivatives, and the matching decompression
(Gebremedhin, Manne & Pothen, "What color is your Jacobian?", SIAM Review
2005).

A Jacobian's columns that share no row can share a tangent: the sum of the
columns of one color is one JVP, and each entry is read back from it
(column coloring, distance 2 in the bipartite graph of rows and columns).
Likewise rows and VJPs. A symmetric Hessian needs fewer colors: a star
coloring (no path on four vertices in two colors) still lets every entry
be read from one side or the other.

Colorings are greedy: columns and rows in DSATUR's order, the star
coloring largest-first (most neighbors first).
Patterns are scipy.sparse arrays; colors are NumPy arrays of ints from 0.
"""

import numpy as np

__all__ = ["column_coloring", "row_coloring", "star_coloring", "seeds", "Decompression",
           "decompress_columns", "decompress_rows", "decompress_symmetric"]


def __dir__():
    return __all__


def _saturation_greedy(indptr, indices):
    """Distance-1 greedy coloring of the graph whose neighbors are given as
    compressed rows, each vertex the smallest color none of its neighbors
    has, taken in DSATUR's order (Brélaz 1979): next, a vertex with the most
    distinct colors among its neighbors, the largest first among the
    uncolored at the start. (Largest-first alone gives 7 colors to the
    5-point stencil's Jacobian, whose best is 5; this gives 5.) Buckets by
    saturation, so the whole is linear in the edges."""
    count = len(indptr) - 1
    starts, neighbors = indptr.tolist(), indices.tolist()
    colors = [-1] * count
    seen = [set() for _ in range(count)]  # the colors among each vertex's neighbors
    most = int(np.diff(indptr).max()) if count else 0
    buckets = [[] for _ in range(most + 2)]  # by saturation; popped from the end
    buckets[0] = _largest_first(indptr)[::-1]
    top, done = 0, 0
    while done < count:
        while not buckets[top]:
            top -= 1
        v = buckets[top].pop()
        if colors[v] >= 0 or len(seen[v]) != top:
            continue  # colored already, or its entry is stale
        color = 0
        mine = seen[v]
        while color in mine:
            color += 1
        colors[v] = color
        done += 1
        for w in neighbors[starts[v]:starts[v + 1]]:
            if colors[w] < 0:
                theirs = seen[w]
                if color not in theirs:
                    theirs.add(color)
                    level = len(theirs)
                    buckets[level].append(w)
                    if level > top:
                        top = level
    return np.array(colors, dtype=np.int64)


def _largest_first(indptr):
    """Vertices by decreasing number of neighbors (ties by index)."""
    return np.argsort(-np.diff(indptr), kind="stable").tolist()


def column_coloring(pattern):
    """Colors of a Jacobian pattern's columns such that two columns sharing a
    row differ: each color's columns form one JVP.

    The sum of the unit vectors of one color (a column of ``seeds(colors)``)
    is one tangent; each entry of the Jacobian is read back from its JVP
    (``decompress_columns``). Greedy, in DSATUR's order: not always the
    fewest colors, but at least as many as the fullest row has entries.

    Args:
        pattern: the Jacobian's sparsity pattern, a ``scipy.sparse`` array
            or matrix (rows x columns; nonzero entries are the structure).

    Returns:
        A NumPy int64 array with one color (from 0) per column.

    Example:
        >>> import numpy as np, scipy.sparse
        >>> import dualrev as dr
        >>> from dualrev.func import coloring
        >>> pattern = scipy.sparse.csr_array(np.array([[1, 1, 0, 0], [0, 1, 1, 0],
        ...                                            [0, 0, 1, 1]], dtype=bool))
        >>> coloring.column_coloring(pattern)
        array([1, 0, 1, 0])
    """
    pattern = pattern.tocsc().astype(bool)
    conflicts = (pattern.T @ pattern).tocsr()  # columns sharing a row
    conflicts.setdiag(False)
    conflicts.eliminate_zeros()
    return _saturation_greedy(conflicts.indptr, conflicts.indices)


def row_coloring(pattern):
    """Colors of a Jacobian pattern's rows such that two rows sharing a
    column differ: each color's rows form one VJP.

    The column coloring of the transposed pattern; read the Jacobian back
    from the VJPs with ``decompress_rows``.

    Args:
        pattern: the Jacobian's sparsity pattern, a ``scipy.sparse`` array
            or matrix (rows x columns).

    Returns:
        A NumPy int64 array with one color (from 0) per row.

    Example:
        >>> import numpy as np, scipy.sparse
        >>> import dualrev as dr
        >>> from dualrev.func import coloring
        >>> pattern = scipy.sparse.csr_array(np.array([[1, 1, 0, 0], [0, 1, 1, 0],
        ...                                            [0, 0, 1, 1]], dtype=bool))
        >>> coloring.row_coloring(pattern)
        array([1, 0, 1])
    """
    return column_coloring(pattern.T)


def star_coloring(pattern):
    """A star coloring of a symmetric pattern's graph (the diagonal aside):
    neighbors differ, and no path on four vertices has only two colors.
    Then every entry of a symmetric matrix is read from the compressed
    product from one end or the other (``decompress_symmetric``).

    Greedy, largest-first. A star coloring needs fewer colors than a
    column coloring of the same symmetric pattern: it is how
    ``sparse_hessian`` takes fewer Hessian-vector products.

    Args:
        pattern: a symmetric sparsity pattern (a ``scipy.sparse`` array or
            matrix, n x n); only its structure is read, the diagonal aside.

    Returns:
        A NumPy int64 array with one color (from 0) per vertex (row).

    Example:
        >>> import numpy as np, scipy.sparse
        >>> import dualrev as dr
        >>> from dualrev.func import coloring
        >>> tridiagonal = scipy.sparse.csr_array(np.eye(4, dtype=bool) | np.eye(4, k=1, dtype=bool)
        ...                                      | np.eye(4, k=-1, dtype=bool))
        >>> coloring.star_coloring(tridiagonal)
        array([1, 0, 1, 2])
    """
    graph = pattern.tocsr().astype(bool)
    graph.setdiag(False)
    graph.eliminate_zeros()
    starts, indices = graph.indptr.tolist(), graph.indices.tolist()
    neighbors = [indices[starts[v]:starts[v + 1]] for v in range(len(starts) - 1)]
    colors = [-1] * len(neighbors)
    for v in _largest_first(graph.indptr):
        around = neighbors[v]
        taken = [colors[w] for w in around]
        forbidden = {c for c in taken if c >= 0}
        if forbidden:
            for w, cw in zip(around, taken):
                if cw < 0:
                    continue
                interior = taken.count(cw) > 1  # u - v - w - x: v's color may not be x's
                for x in neighbors[w]:
                    cx = colors[x]
                    if x == v or cx < 0 or cx in forbidden:
                        continue
                    if interior:
                        forbidden.add(cx)
                        continue
                    for y in neighbors[x]:  # v - w - x - y, y colored as w: nor here
                        if y != w and colors[y] == cw:
                            forbidden.add(cx)
                            break
        color = 0
        while color in forbidden:
            color += 1
        colors[v] = color
    return np.array(colors, dtype=np.int64)


def seeds(colors, dtype=np.float64):
    """The seed matrix (vertices x colors): column c sums the unit vectors
    of color c.

    Its columns are the tangents of the JVPs (``J @ seeds``) or the
    cotangents of the VJPs (``seeds.T @ J``) that compress a sparse matrix.

    Args:
        colors: one color (an int from 0) per vertex, a NumPy int array.
        dtype: the NumPy dtype of the matrix (float64 by default).

    Returns:
        A NumPy array of shape ``(len(colors), colors.max() + 1)`` with a
        single 1 in each row.

    Example:
        >>> import numpy as np
        >>> from dualrev.func import coloring
        >>> coloring.seeds(np.array([0, 1, 0]))
        array([[1., 0.],
               [0., 1.],
               [1., 0.]])
    """
    out = np.zeros((len(colors), _count(colors)), dtype)
    out[np.arange(len(colors)), colors] = 1
    return out


class Decompression:
    """How to read a sparse matrix back from its compressed product: for
    each stored entry of the pattern (CSR order), where it sits in the
    compressed array. Made once per pattern and coloring; applying it is one
    gather.

    Made by ``decompress_columns``, ``decompress_rows`` and
    ``decompress_symmetric``; call it with the compressed product to get
    the sparse matrix, a ``scipy.sparse.csr_array`` of the pattern's shape.

    Args:
        pattern: the sparsity pattern (a ``scipy.sparse`` array or matrix).
        rows: for each entry of the pattern in CSR order, its row in the
            compressed array (a NumPy int array).
        columns: for each entry, its column in the compressed array.

    Example:
        >>> import numpy as np, scipy.sparse
        >>> import dualrev as dr
        >>> from dualrev.func import coloring
        >>> pattern = scipy.sparse.csr_array(np.array([[1, 1, 0, 0], [0, 1, 1, 0],
        ...                                            [0, 0, 1, 1]], dtype=bool))
        >>> colors = coloring.column_coloring(pattern)
        >>> read = coloring.decompress_columns(pattern, colors)
        >>> J = np.array([[1.0, 2, 0, 0], [0, 3, 4, 0], [0, 0, 5, 6]])
        >>> read(J @ coloring.seeds(colors)).toarray()
        array([[1., 2., 0., 0.],
               [0., 3., 4., 0.],
               [0., 0., 5., 6.]])
    """

    def __init__(self, pattern, rows, columns):
        pattern = pattern.tocsr()
        pattern.sort_indices()
        self.shape, self.indptr, self.indices = pattern.shape, pattern.indptr, pattern.indices
        self.rows, self.columns = rows, columns

    def __call__(self, compressed):
        return scipy_sparse().csr_array(
            (compressed[self.rows, self.columns], self.indices, self.indptr), shape=self.shape)


def _entries(pattern):
    """Rows and columns of a pattern's entries, in CSR order."""
    pattern = pattern.tocsr()
    pattern.sort_indices()
    return np.repeat(np.arange(pattern.shape[0]), np.diff(pattern.indptr)), pattern.indices


def decompress_columns(pattern, colors):
    """For J S (rows x colors): entry (i, j) is at row i, column color[j].

    Args:
        pattern: the Jacobian's sparsity pattern (a ``scipy.sparse`` array
            or matrix).
        colors: a column coloring of it (``column_coloring``).

    Returns:
        A ``Decompression``: called with the compressed product
        ``J @ seeds(colors)`` (a NumPy array), it returns J as a
        ``scipy.sparse.csr_array``.

    Example:
        >>> import numpy as np, scipy.sparse
        >>> import dualrev as dr
        >>> from dualrev.func import coloring
        >>> pattern = scipy.sparse.csr_array(np.array([[1, 1, 0, 0], [0, 1, 1, 0],
        ...                                            [0, 0, 1, 1]], dtype=bool))
        >>> colors = coloring.column_coloring(pattern)
        >>> J = np.array([[1.0, 2, 0, 0], [0, 3, 4, 0], [0, 0, 5, 6]])
        >>> compressed = J @ coloring.seeds(colors)  # two JVPs for four columns
        >>> compressed
        array([[2., 1.],
               [3., 4.],
               [6., 5.]])
        >>> coloring.decompress_columns(pattern, colors)(compressed).toarray()
        array([[1., 2., 0., 0.],
               [0., 3., 4., 0.],
               [0., 0., 5., 6.]])
    """
    rows, columns = _entries(pattern)
    return Decompression(pattern, rows, colors[columns])


def decompress_rows(pattern, colors):
    """For Sᵀ J (colors x columns): entry (i, j) is at row color[i], column j.

    Args:
        pattern: the Jacobian's sparsity pattern (a ``scipy.sparse`` array
            or matrix).
        colors: a row coloring of it (``row_coloring``).

    Returns:
        A ``Decompression``: called with the compressed product
        ``seeds(colors).T @ J`` (a NumPy array), it returns J as a
        ``scipy.sparse.csr_array``.

    Example:
        >>> import numpy as np, scipy.sparse
        >>> import dualrev as dr
        >>> from dualrev.func import coloring
        >>> pattern = scipy.sparse.csr_array(np.array([[1, 1, 0, 0], [0, 1, 1, 0],
        ...                                            [0, 0, 1, 1]], dtype=bool))
        >>> colors = coloring.row_coloring(pattern)
        >>> J = np.array([[1.0, 2, 0, 0], [0, 3, 4, 0], [0, 0, 5, 6]])
        >>> compressed = coloring.seeds(colors).T @ J  # two VJPs for three rows
        >>> coloring.decompress_rows(pattern, colors)(compressed).toarray()
        array([[1., 2., 0., 0.],
               [0., 3., 4., 0.],
               [0., 0., 5., 6.]])
    """
    rows, columns = _entries(pattern)
    return Decompression(pattern, colors[rows], columns)


def decompress_symmetric(pattern, colors):
    """For H S of a symmetric H under a star coloring: entry (i, j) is at row
    i, column color[j] when j is i's only neighbor of its color, else at row
    j, column color[i] (a star coloring makes one of them so).

    Args:
        pattern: the symmetric sparsity pattern (a ``scipy.sparse`` array or
            matrix, n x n).
        colors: a star coloring of it (``star_coloring``).

    Returns:
        A ``Decompression``: called with the compressed product
        ``H @ seeds(colors)`` (a NumPy array), it returns H as a
        ``scipy.sparse.csr_array``.

    Example:
        >>> import numpy as np, scipy.sparse
        >>> import dualrev as dr
        >>> from dualrev.func import coloring
        >>> tridiagonal = scipy.sparse.csr_array(np.eye(4, dtype=bool) | np.eye(4, k=1, dtype=bool)
        ...                                      | np.eye(4, k=-1, dtype=bool))
        >>> colors = coloring.star_coloring(tridiagonal)
        >>> H = np.array([[2.0, 1, 0, 0], [1, 3, 4, 0], [0, 4, 5, 6], [0, 0, 6, 7]])
        >>> read = coloring.decompress_symmetric(tridiagonal, colors)
        >>> read(H @ coloring.seeds(colors)).toarray()  # three products for four columns
        array([[2., 1., 0., 0.],
               [1., 3., 4., 0.],
               [0., 4., 5., 6.],
               [0., 0., 6., 7.]])
    """
    rows, columns = _entries(pattern)
    off = rows != columns
    hits = np.zeros((pattern.shape[0], _count(colors)), np.int64)
    np.add.at(hits, (rows[off], colors[columns[off]]), 1)
    from_row = ~off | (hits[rows, colors[columns]] == 1)
    return Decompression(pattern, np.where(from_row, rows, columns),
                         np.where(from_row, colors[columns], colors[rows]))


def _count(colors):
    return int(colors.max()) + 1 if len(colors) else 0


def scipy_sparse():
    """scipy.sparse, imported on first use: the core and the rest of dualrev
    need NumPy only."""
    try:
        import scipy.sparse  # (here, not at the top: scipy is an optional extra)
    except ImportError:
        raise ImportError("sparse derivatives need scipy, an optional extra of dualrev: "
                          "pip install 'dualrev[sparse]'") from None
    return scipy.sparse
