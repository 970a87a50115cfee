"""Matrix functions and factorizations of batches of matrices (any leading
axes): det, slogdet, inv, solve, cholesky, eigh, qr, svd, and matrix norms.

The rules are written in dualrev ops (matmul, solve, transposes and
elementwise ops), so derivatives of every order come from this same table;
each rule cites the identity it uses. Where a rule divides, the matrix must
be regular: det, slogdet, inv and solve need A invertible, cholesky A
positive definite, eigh distinct eigenvalues, svd distinct nonzero singular
values, qr full column rank.

A primitive has one output. NumPy returns tuples from slogdet, eigh, qr and
svd; here each of them is one primitive whose output packs the parts into
one array, and a composite of the name without ``_packed`` splits it:

    slogdet_packed  (..., 2)             [sign, log|det|]
    eigh_packed     (..., n, 1 + n)      row i: [w_i, v_i]       eigenpair i
    svd_packed      (..., k, m + 1 + n)  row i: [u_i, s_i, v_i]  triplet i
    qr_packed       (..., m + n, n)      Q on top of R (m >= n)

Packing rather than one primitive per part, because the parts' rules need
each other: the eigenvectors' derivative needs the eigenvalue gaps, the
singular vectors' the singular values, Q's derivative R and R's Q. Separate
primitives would each redo the factorization inside their rules (or share it
through a cache keyed on the input); a packed output computes it once, and
its rules read every part from ``ans``. The same pack and split functions
serve the implementation, the rules and the composites, so the layout is
written once. Splitting is a getitem, whose cotangent is zero for an unused
part.

cholesky and eigh read a symmetric matrix. They symmetrise their input,
(A + Aᵀ)/2 as JAX does: that changes nothing for a symmetric A (the result
is exactly NumPy's) and makes the symmetrised rules the exact derivative of
the function for any input, which finite differences along non-symmetric
directions then confirm.
"""

import math

import numpy as np

from ..core.sparsity import BLOCKS
from ..core.primitive import defprim, raw_value
from ..core.taylor import (
    cauchy, compositions, dense, ode_step, series_exp, series_sqrt)
from ..core.values import canonical, ndim_of, shape_of
from . import elementwise as ew
from . import reductions as red
from . import shape as sh
from .arrays import diagonal, trace, tril, triu
from .composite import norm
from .products import matmul, pad_batch, product_tangent
from ..core.cotangents import sum_to


# -- helpers --------------------------------------------------------------------------

def _mT(x):
    """The matrices transposed."""
    return sh.transpose(x, dim0=-2, dim1=-1)


def _sym(x):
    """(X + Xᵀ)/2, exactly X when X is symmetric."""
    return (x + _mT(x)) * 0.5


def _mm(*factors):
    out = factors[0]
    for f in factors[1:]:
        out = matmul(out, f)
    return out


def _right_solve(x, a):
    """X A⁻¹, as (A⁻ᵀ Xᵀ)ᵀ."""
    return _mT(solve(_mT(a), _mT(x)))


def _diag_embed(v):
    """The vectors (..., n) as diagonal matrices (..., n, n); multiplying by a
    bool identity keeps v's dtype."""
    return sh.unsqueeze(v, axis=-1) * np.eye(shape_of(v)[-1], dtype=bool)


def _row(s):
    """Per-column factors (..., n) as (..., 1, n): ``x * _row(s)`` is X S."""
    return sh.unsqueeze(s, axis=-2)


def _column(s):
    """Per-row factors (..., n) as (..., n, 1): ``_column(s) * x`` is S X."""
    return sh.unsqueeze(s, axis=-1)


def _inverse_gaps(w):
    """F[..., i, j] = 1 / (w_j - w_i) off the diagonal, 0 on it: the factor
    of eigenvector (and singular vector) derivatives. The diagonal gap is
    replaced by 1 before dividing, so no 1/0 arises there at any order."""
    off = ~np.eye(shape_of(w)[-1], dtype=bool)
    gaps = _row(w) - _column(w)
    return ew.where(off, 1.0 / ew.where(off, gaps, 1.0), 0.0)


# -- determinants and inverses ----------------------------------------------------------

def _log_det_tangent(a, t):
    """d log|det A| = tr(A⁻¹ dA) (Jacobi's formula)."""
    return trace(solve(a, t))


def _scaled_inverse_transpose(scale, a):
    """scale · A⁻ᵀ, one scale per matrix: the gradient of det A is det A · A⁻ᵀ,
    that of log|det A| is A⁻ᵀ."""
    return sh.unsqueeze(scale, axis=(-2, -1)) * _mT(inv(a))


def _cofactors(a):
    """The cofactor matrices C (C_ij = (-1)^(i+j) det of A without row i and
    column j; C = adj(A)ᵀ), from determinants of minors: right for singular
    matrices too, where det A · A⁻ᵀ cannot be formed, and differentiable
    again (the minors' determinants have this same rule)."""
    n = shape_of(a)[-1]
    if n == 1:
        raw = raw_value(a)
        return np.ones(raw.shape, raw.dtype)
    keep = np.array([[k for k in range(n) if k != i] for i in range(n)])
    minors = sh.getitem(a, index=(Ellipsis, keep[:, None, :, None], keep[None, :, None, :]))
    signs = (-1.0) ** np.add.outer(np.arange(n), np.arange(n))
    return det(minors) * signs


def _singular(ans):
    return bool(np.any(np.asarray(raw_value(ans)) == 0))


def _det_tangent(t, ans, x):
    """d det A = tr(adj(A) dA) (Jacobi's formula): det A · tr(A⁻¹ dA) when A
    is invertible, the cofactors otherwise."""
    if _singular(ans):
        return red.sum(_cofactors(x) * t, axis=(-2, -1), keepdims=False)
    return ans * _log_det_tangent(x, t)


def _det_cotangent(g, ans, x):
    """g · adj(A)ᵀ: g · det A · A⁻ᵀ when A is invertible, the cofactors
    otherwise (PyTorch 2.13 gives zeros for a singular matrix)."""
    if _singular(ans):
        return sh.unsqueeze(g, axis=(-2, -1)) * _cofactors(x)
    return _scaled_inverse_transpose(g * ans, x)


def _inverse_series(x, y0, order):
    """The series of X⁻¹ to ``order`` (``y0`` = X_0⁻¹): X Y = I, so
    Y_k = -Y_0 (X_1 Y_(k-1) + ... + X_k Y_0)."""
    y = [y0]
    for k in range(1, order + 1):
        rest = cauchy(x, y, k, 1, k, times=matmul)
        y.append(None if type(rest) is float else ew.neg(matmul(y0, rest)))  # (float: no terms)
    return y


def _log_det_series(x):
    """The series of log|det X|, X invertible at t = 0: its derivative is
    tr(X⁻¹ X') (Jacobi)."""
    inverse = _inverse_series(x, inv(x[0]), len(x) - 2)
    return [0.0] + [ode_step(x, inverse, k, times=_trace_of_product) for k in range(1, len(x))]


def _trace_of_product(dx, inverse):
    return trace(matmul(inverse, dx))


def _det_taylor(ans, x):
    """det X = exp(log|det X|) times its sign: y' = y tr(X⁻¹ X'), where X_0 is
    well conditioned. Near a singular X_0, where that recurrence cancels,
    det's linearity in each column: coefficient k is the sum of the
    determinants of the matrices whose column i is X's coefficient of order
    k_i, over k_1 + ... + k_n = k (one batch of determinants per order)."""
    n = shape_of(x[0])[-1]
    by_columns = math.comb(len(x) - 2 + n, n - 1) if n else 0
    if n == 0 or np.all(np.linalg.cond(raw_value(x[0])) < _WELL_CONDITIONED) \
            or by_columns > _MOST_DETERMINANTS:
        return series_exp(_log_det_series(x), ans)[1:]
    x = dense(x)
    stacked = sh.stack(*x, axis=0)
    series = []
    for k in range(1, len(x)):
        orders = np.array(list(compositions(k, [k] * n)))
        columns = [sh.getitem(stacked, index=(orders[:, i], Ellipsis, slice(None), i))
                   for i in range(n)]
        series.append(red.sum(det(sh.stack(*columns, axis=-1)), axis=(-ndim_of(ans) - 1,),
                              keepdims=False))
    return series


_WELL_CONDITIONED = 1e4  # condition numbers below which det's recurrence loses little
_MOST_DETERMINANTS = 20000  # per order, for the expansion by columns


det = defprim("det", lambda x: canonical(np.linalg.det(x)), backward_name="LinalgDetBackward0",
              jvp=_det_tangent, vjp=_det_cotangent, taylor=_det_taylor, sparsity=BLOCKS)


def _slogdet_impl(x):
    sign, logabsdet = np.linalg.slogdet(x)
    return np.stack([sign, logabsdet], axis=-1)


slogdet_packed = defprim(
    "slogdet_packed", _slogdet_impl, backward_name="LinalgSlogdetBackward0",
    jvp=lambda t, x: _pack_sign(_log_det_tangent(x, t)),
    taylor=lambda ans, x: [_pack_sign(c) for c in _log_det_series(x)[1:]],
    vjp=lambda g, x: _scaled_inverse_transpose(sh.getitem(g, index=(Ellipsis, 1)), x),
    sparsity=BLOCKS)


def _pack_sign(d):
    """The tangent of [sign, log|det|]: the sign is locally constant (its zero
    tangent carries no derivative of its own)."""
    return sh.stack(ew.stop_gradient(d) * 0.0, d, axis=-1)


def slogdet(x):
    """(sign, log|det|) of each matrix; the sign carries no derivative."""
    packed = slogdet_packed(x)
    return (sh.getitem(ew.stop_gradient(packed), index=(Ellipsis, 0)),
            sh.getitem(packed, index=(Ellipsis, 1)))


inv = defprim("inv", np.linalg.inv, backward_name="LinalgInvExBackward0",
              # d(A⁻¹) = -A⁻¹ dA A⁻¹
              jvp=lambda t, ans: ew.neg(_mm(ans, t, ans)),
              taylor=lambda ans, x: _inverse_series(x, ans, len(x) - 1)[1:],
              vjp=lambda g, ans: ew.neg(_mm(_mT(ans), g, _mT(ans))), sparsity=BLOCKS)


# -- solve -------------------------------------------------------------------------------
# X = A⁻¹ B: dX = A⁻¹ (dB - dA X); B̄ = A⁻ᵀ X̄, Ā = -B̄ Xᵀ. A vector b (1-d, as
# NumPy 2 reads it) is handled as a matrix of one column.

def _columns(v, vector):
    return sh.unsqueeze(v, axis=-1) if vector else v


def _uncolumns(v, vector):
    return sh.squeeze(v, axis=-1) if vector else v


def _solve_jvp_a(t, a, ans, b_shape):
    vector = len(b_shape) == 1
    da_x = product_tangent(t, ndim_of(a), _columns(ans, vector), left=True)
    return _uncolumns(ew.neg(solve(a, da_x)), vector)


def _solve_jvp_b(t, a, ans, b_shape):
    """A⁻¹ dB; the batch axes of dB are padded to the solution's, so that a
    tangent's leading axes stay in front."""
    vector = len(b_shape) == 1
    t = _columns(t, vector)
    lead = ndim_of(t) - len(b_shape) - vector
    return _uncolumns(solve(a, pad_batch(t, lead, ndim_of(ans) - len(b_shape))), vector)


def _solve_cotangent_b(g, a, vector):
    """B̄ = A⁻ᵀ X̄, as columns, before broadcasting is summed away."""
    return solve(_mT(a), _columns(g, vector))


def _solve_vjp_a(g, a, ans, b_shape):
    vector = len(b_shape) == 1
    b_bar = _solve_cotangent_b(g, a, vector)
    return sum_to(ew.neg(matmul(b_bar, _mT(_columns(ans, vector)))), shape_of(a))


def _solve_vjp_b(g, a, b_shape):
    vector = len(b_shape) == 1
    return sum_to(_uncolumns(_solve_cotangent_b(g, a, vector), vector), b_shape)


def _solve_taylor(ans, a, b):
    """A X = B order by order: A_0 X_k = B_k - (A_1 X_(k-1) + ... + A_k X_0)."""
    vector = ndim_of(b[0]) == 1
    x = [_columns(ans, vector)]
    for k in range(1, len(a)):
        rest = cauchy(a, x, k, 1, k, times=matmul)
        if type(rest) is float:  # no terms: the right side is B_k alone
            right = None if b[k] is None else _columns(b[k], vector)
        else:
            right = ew.neg(rest) if b[k] is None else _columns(b[k], vector) - rest
        x.append(None if right is None else solve(a[0], right))
    return [None if v is None else _uncolumns(v, vector) for v in x[1:]]


def _solve_vmap(values, batched, size):
    """A X = B per example: a batch axis in front of A's and B's (a vector B
    made a column, so that NumPy does not read a batch of vectors as a
    matrix)."""
    (a, b), (ba, bb) = values, batched
    vector = ndim_of(b) - bb == 1
    if not bb:
        b = sh.broadcast_to(b, shape=(size,) + tuple(shape_of(b)))
    b = _columns(b, vector)
    dims = max(ndim_of(a) - ba, ndim_of(b) - 1)  # an example's axes, batch axes included
    if ba:
        a = pad_batch(a, 1, dims - (ndim_of(a) - 1))
    b = pad_batch(b, 1, dims - (ndim_of(b) - 1))
    return _uncolumns(solve(a, b), vector)


solve = defprim("solve", np.linalg.solve, "a b", backward_name="LinalgSolveExBackward0",
                jvp=(_solve_jvp_a, _solve_jvp_b), vjp=(_solve_vjp_a, _solve_vjp_b),
                taylor=_solve_taylor, sparsity=BLOCKS,
                 vmap=_solve_vmap)


# -- cholesky ------------------------------------------------------------------------------
# A = L Lᵀ: dL = L Φ(L⁻¹ dA L⁻ᵀ), where Φ takes the lower triangle and halves
# the diagonal; Ā = sym(L⁻ᵀ Φ(Lᵀ L̄) L⁻¹) (Murray 2016, "Differentiation of
# the Cholesky decomposition"), with dA and Ā symmetrised.

def _phi(x):
    return tril(x, k=-1) + (x * np.eye(shape_of(x)[-1], dtype=bool)) * 0.5


def _cholesky_jvp(t, ans):
    inner = _right_solve(solve(ans, _sym(t)), _mT(ans))
    return matmul(ans, _phi(inner))


def _cholesky_vjp(g, ans):
    inner = solve(_mT(ans), _phi(matmul(_mT(ans), g)))
    return _sym(_right_solve(inner, ans))


def _cholesky_taylor(ans, x):
    """L Lᵀ = X order by order: L_0 L_kᵀ + L_k L_0ᵀ = X_k - (L_1 L_(k-1)ᵀ + ...
    + L_(k-1) L_1ᵀ), the equation the JVP solves for the right side."""
    x = dense(x)
    l = [ans]
    for k in range(1, len(x)):
        rest = cauchy(l, [_mT(v) for v in l], k, 1, k - 1, times=matmul)
        l.append(_cholesky_jvp(x[k] - rest, ans))
    return l[1:]


cholesky = defprim("cholesky", lambda x: np.linalg.cholesky(_sym(x)),
                   backward_name="LinalgCholeskyExBackward0", taylor=_cholesky_taylor,
                   jvp=_cholesky_jvp, vjp=_cholesky_vjp, sparsity=BLOCKS)


# -- eigh ----------------------------------------------------------------------------------
# A = V diag(w) Vᵀ: with dP = Vᵀ dA V, dw = diag(dP) and dV = V (F ∘ dP),
# F_ij = 1/(w_j - w_i); Ā = V (diag(w̄) + F ∘ (Vᵀ V̄)) Vᵀ, symmetrised
# (Giles 2008, "An extended collection of matrix derivative results").

def _eigh_pack(w, v):
    return sh.concatenate(_column(w), _mT(v), axis=-1)


def _eigh_split(packed):
    """(w, V) of a packed eigendecomposition, or of its tangent or cotangent."""
    return sh.getitem(packed, index=(Ellipsis, 0)), \
        _mT(sh.getitem(packed, index=(Ellipsis, slice(1, None))))


def _eigh_impl(x):
    return _eigh_pack(*np.linalg.eigh(_sym(x)))


def _eigh_jvp(t, ans):
    w, v = _eigh_split(ans)
    dp = _mm(_mT(v), _sym(t), v)
    return _eigh_pack(diagonal(dp), matmul(v, _inverse_gaps(w) * dp))


def _eigh_vjp(g, ans):
    w, v = _eigh_split(ans)
    w_bar, v_bar = _eigh_split(g)
    inner = _diag_embed(w_bar) + _inverse_gaps(w) * matmul(_mT(v), v_bar)
    return _sym(_mm(v, inner, _mT(v)))


def _eigen_series(v0, w0, b):
    """Eigenvalues and eigenvectors, as series, of symmetric matrices whose
    series in the basis of ``v0`` is ``b`` (b_0 = diag(w0), distinct w0).
    With V = V_0 W, B W = W Λ and WᵀW = I order by order: the off-diagonal
    of W_k is F ∘ R_k (F_ij = 1/(w_j - w_i), R_k what the lower orders
    leave), Λ_k the diagonal of R_k, and W_k's diagonal what keeps W
    orthogonal. The JVP is the case k = 1."""
    gaps = _inverse_gaps(w0)
    w, big_w, lam = [w0], [None], [None]
    for k in range(1, len(b)):
        r = b[k] + cauchy(b, big_w, k, 1, k - 1, times=matmul) - cauchy(big_w, lam, k, 1, k - 1,
                                                                            times=matmul)
        w.append(diagonal(r))
        lam.append(_diag_embed(w[k]))
        wk = gaps * r
        if k > 1:
            wk = wk - _diag_embed(diagonal(cauchy([None] + [_mT(v) for v in big_w[1:]], big_w, k,
                                                  1, k - 1, times=matmul))) * 0.5
        big_w.append(wk)
    return w, [v0] + [matmul(v0, wk) for wk in big_w[1:]]


def _eigh_taylor(ans, x):
    x = dense(x)
    w0, v0 = _eigh_split(ans)
    b = [None] + [_mm(_mT(v0), _sym(xk), v0) for xk in x[1:]]
    w, v = _eigen_series(v0, w0, b)
    return [_eigh_pack(wk, vk) for wk, vk in zip(w[1:], v[1:])]


eigh_packed = defprim("eigh_packed", _eigh_impl, backward_name="LinalgEighBackward0",
                      jvp=_eigh_jvp, vjp=_eigh_vjp, taylor=_eigh_taylor, sparsity=BLOCKS)


def eigh(x):
    """(eigenvalues ascending, eigenvectors as columns) of symmetric matrices."""
    return _eigh_split(eigh_packed(x))


# -- qr ------------------------------------------------------------------------------------
# A = QR, m >= n: with C = Qᵀ dA R⁻¹ and Ω = tril(C, -1) - tril(C, -1)ᵀ,
# dQ = Q (Ω - C) + dA R⁻¹ and dR = (C - Ω) R; the VJP is its transpose,
# Ā = (Q̄ + Q copyu(M)) R⁻ᵀ with M = R̄ Rᵀ - Qᵀ Q̄ and copyu(M) the symmetric
# matrix with M's upper triangle (Walter and Lehmann 2018; JAX's qr_jvp_rule).

def _qr_pack(q, r):
    return sh.concatenate(q, r, axis=-2)


def _qr_split(packed):
    """(Q, R) of a packed factorization, or of its tangent or cotangent."""
    rows, n = shape_of(packed)[-2:]
    return sh.getitem(packed, index=(Ellipsis, slice(None, rows - n), slice(None))), \
        sh.getitem(packed, index=(Ellipsis, slice(rows - n, None), slice(None)))


def _qr_impl(x):
    m, n = np.shape(x)[-2:]
    if m < n:
        raise ValueError(f"qr takes square and tall matrices (m >= n) only; "
                         f"got {m} x {n}")
    return _qr_pack(*np.linalg.qr(x))


def _qr_jvp(t, ans):
    q, r = _qr_split(ans)
    da_rinv = _right_solve(t, r)
    c = matmul(_mT(q), da_rinv)
    lower = tril(c, k=-1)
    omega = lower - _mT(lower)
    return _qr_pack(matmul(q, omega - c) + da_rinv, matmul(c - omega, r))


def _qr_vjp(g, ans):
    q, r = _qr_split(ans)
    q_bar, r_bar = _qr_split(g)
    m = matmul(r_bar, _mT(r)) - matmul(_mT(q), q_bar)
    return _right_solve(q_bar + matmul(q, triu(m) + _mT(triu(m, k=1))), _mT(r))


def _qr_taylor(ans, x):
    """Q R = A and QᵀQ = I order by order: with M = A_k - (Q_1 R_(k-1) + ...)
    and C = Q_0ᵀ M R_0⁻¹, X = Q_0ᵀ Q_k has C's strict lower triangle and
    X + Xᵀ = -S (S = Q_1ᵀ Q_(k-1) + ...); then R_k = (C - X) R_0 and
    Q_k = Q_0 (X - C) + M R_0⁻¹. The JVP is the case k = 1 (S = 0)."""
    x = dense(x)
    q0, r0 = _qr_split(ans)
    q, r = [q0], [r0]
    for k in range(1, len(x)):
        m_rinv = _right_solve(x[k] - cauchy(q, r, k, 1, k - 1, times=matmul), r0)
        c = matmul(_mT(q0), m_rinv)
        lower = tril(c, k=-1)
        xk = lower - _mT(lower)
        if k > 1:
            s = cauchy([_mT(v) for v in q], q, k, 1, k - 1, times=matmul)
            xk = xk - triu(s, k=1) - _diag_embed(diagonal(s)) * 0.5
        r.append(matmul(c - xk, r0))
        q.append(matmul(q0, xk - c) + m_rinv)
    return [_qr_pack(qk, rk) for qk, rk in zip(q[1:], r[1:])]


qr_packed = defprim("qr_packed", _qr_impl, backward_name="LinalgQrBackward0",
                    jvp=_qr_jvp, vjp=_qr_vjp, taylor=_qr_taylor, sparsity=BLOCKS)


def qr(x):
    """The reduced QR factorization (Q, R) of square or tall matrices."""
    return _qr_split(qr_packed(x))


# -- svd -----------------------------------------------------------------------------------
# A = U diag(s) Vᵀ (reduced, k = min(m, n)), F_ij = 1/(s_j² - s_i²),
# dP = Uᵀ dA V: ds = diag(dP), dU = U (F ∘ (dP S + S dPᵀ)) + (I - UUᵀ) dA V S⁻¹
# and dV likewise with U, V and dA, dAᵀ swapped (Townsend 2016, "Differentiating
# the singular value decomposition"; JAX's svd_jvp_rule). The VJP is its
# transpose: Ā = U [diag(s̄) + (F ∘ (UᵀŪ - ŪᵀU)) S + S (F ∘ (VᵀV̄ - V̄ᵀV))] Vᵀ
# + (I - UUᵀ) Ū S⁻¹ Vᵀ + U S⁻¹ V̄ᵀ (I - VVᵀ).

def _svd_pack(u, s, vh):
    return sh.concatenate(_mT(u), _column(s), vh, axis=-1)


def _svd_split(packed, m):
    """(U, s, Vh) of a packed SVD of m-row matrices, or of its tangent or cotangent."""
    def columns(start, stop):
        return sh.getitem(packed, index=(Ellipsis, slice(start, stop)))
    return _mT(columns(0, m)), sh.getitem(packed, index=(Ellipsis, m)), columns(m + 1, None)


def _singular_vectors_tangent(u, dp, da_v, s, f):
    """dU = U (F ∘ (dP S + S dPᵀ)) + (dA V - U dP) S⁻¹; given V, dPᵀ and dAᵀ U, dV."""
    rotation = matmul(u, f * (dp * _row(s) + _column(s) * _mT(dp)))
    return rotation + (da_v - matmul(u, dp)) / _row(s)


def _svd_jvp(t, ans, x_shape):
    u, s, vh = _svd_split(ans, x_shape[-2])
    v = _mT(vh)
    f = _inverse_gaps(s * s)
    da_v, dat_u = matmul(t, v), matmul(_mT(t), u)
    dp = matmul(_mT(u), da_v)
    du = _singular_vectors_tangent(u, dp, da_v, s, f)
    dv = _singular_vectors_tangent(v, _mT(dp), dat_u, s, f)
    return _svd_pack(du, diagonal(dp), _mT(dv))


def _skew(u, u_bar, f):
    """F ∘ (UᵀŪ - ŪᵀU)."""
    x = matmul(_mT(u), u_bar)
    return f * (x - _mT(x))


def _off_span(u, u_bar):
    """(I - UUᵀ) Ū: the part of Ū outside the span of U's columns."""
    return u_bar - matmul(u, matmul(_mT(u), u_bar))


def _svd_vjp(g, ans, x_shape):
    m = x_shape[-2]
    u, s, vh = _svd_split(ans, m)
    u_bar, s_bar, vh_bar = _svd_split(g, m)
    v, v_bar = _mT(vh), _mT(vh_bar)
    f = _inverse_gaps(s * s)
    core = _diag_embed(s_bar) + _skew(u, u_bar, f) * _row(s) + _column(s) * _skew(v, v_bar, f)
    left = matmul(u, core) + _off_span(u, u_bar) / _row(s)
    return matmul(left, vh) + matmul(u, _mT(_off_span(v, v_bar) / _row(s)))


svd_packed = defprim("svd_packed", lambda x: _svd_pack(*np.linalg.svd(x, full_matrices=False)),
                     backward_name="LinalgSvdBackward0", jvp=_svd_jvp, vjp=_svd_vjp,
                     taylor=lambda ans, x: _svd_taylor(ans, x), sparsity=BLOCKS)


def _svd_taylor(ans, x):
    """From the eigendecomposition of the Gram matrix on the short side:
    for m >= n, AᵀA = V diag(s²) Vᵀ gives s² and V as series (in the order
    and basis of the SVD at t = 0, distinct singular values), s = sqrt(s²),
    and U diag(s) = A V gives U order by order; for m < n, the same on Aᵀ."""
    x = dense(x)
    m, n = shape_of(x[0])[-2:]
    u0, s0, vh0 = _svd_split(ans, m)
    a, left, right = (x, u0, _mT(vh0)) if m >= n else ([_mT(v) for v in x], _mT(vh0), u0)
    gram = [cauchy([_mT(v) for v in a], a, k, times=matmul) for k in range(len(a))]
    b = [None] + [_mm(_mT(right), g, right) for g in gram[1:]]
    squares, right_series = _eigen_series(right, s0 * s0, b)
    s = series_sqrt(squares, s0)
    a_right = [cauchy(a, right_series, k, times=matmul) for k in range(len(a))]
    left_series = [left]
    for k in range(1, len(a)):
        rest = cauchy(left_series, [None] + [_row(v) for v in s[1:k + 1]], k, 0, k - 1,
                      times=lambda p, q: p * q)
        left_series.append((a_right[k] - rest) / _row(s0))
    if m < n:
        left_series, right_series = right_series, left_series
    return [_svd_pack(uk, sk, _mT(vk))
            for uk, sk, vk in zip(left_series[1:], s[1:], right_series[1:])]


def svd(x):
    """The reduced SVD (U, s, Vh) of matrices: s descending, x = U diag(s) Vh."""
    return _svd_split(svd_packed(x), shape_of(x)[-2])


# -- matrix norms --------------------------------------------------------------------------

def matrix_norm(x, *, ord, axis=(-2, -1), keepdims=False):
    """NumPy's matrix norms of the matrices on ``axis`` (rows, columns):
    'fro', 'nuc' (sum of singular values), 2 and -2 (largest and smallest
    singular value), 1 and -1 (largest and smallest column sum of |x|),
    inf and -inf (the same over rows)."""
    x = sh.moveaxis(x, source=axis, destination=(-2, -1))
    if ord == "fro":
        out = norm(x, p=2, axis=(-2, -1), keepdims=False)
    elif ord in ("nuc", 2, -2):
        s = svd(x)[1]
        out = red.sum(s, axis=(-1,), keepdims=False) if ord == "nuc" else \
            sh.getitem(s, index=(Ellipsis, 0 if ord == 2 else -1))
    elif ord in (1, -1, np.inf, -np.inf):
        sums = red.sum(ew.abs(x), axis=(-2,) if ord in (1, -1) else (-1,), keepdims=False)
        out = (red.amax if ord > 0 else red.amin)(sums, axis=(-1,), keepdims=False)
    else:
        raise ValueError(f"invalid norm order {ord!r} for matrices")
    return sh.unsqueeze(out, axis=tuple(sorted(axis))) if keepdims else out
