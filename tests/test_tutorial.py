"""The seed tutorial (PyTorch's autograd, in Chinese) runs unchanged on dualrev.

Every ```python block of ``../shared/seed/pytorch-autograd-tutorial.zh.md`` is
read from the markdown file itself, ``import torch`` is replaced by
``import dualrev as torch`` (so ``torch.optim`` becomes ``dualrev.optim``), and
the block is executed as a reader would: blocks that do not import torch
continue the namespace of the blocks before them.  What the block prints
(captured with ``capsys``) is compared with what PyTorch 2.13 (CPU) prints for
the same program.  The contract is "the same numbers in the same layout as
current PyTorch prints them", not the text shown in the tutorial, which was
produced by an older PyTorch and has stray spaces:

* blocks 2 and 3: the tutorial shows ``x:\\n tensor(...`` and ``x: \\n``;
  ``f"x:\\n{x}"`` prints neither space;
* block 6 (optimizer): the tutorial shows ``y= tensor(0.) ; x= tensor(1.0000)``;
  current PyTorch formats a 0-d tensor in an f-string as its Python number
  (``Tensor.__format__`` -> ``item().__format__``), so it prints
  ``y = 0.0; x = 0.9999589920043945``.  The float32 rounding shows in both
  numbers (float64 gives ``y = 1.6829673210594365e-09``), so that block is
  compared exactly under ``dualrev.set_default_dtype(dualrev.float32)``.

Every block runs twice: under float32 (PyTorch's default dtype; everything must
match PyTorch to the character) and under dualrev's default float64 (the same
text everywhere except the optimizer block, which is compared with what PyTorch
prints when its default dtype is float64).

Blocks 8-10 use ``torch.randn``: with dualrev's own random numbers only what
does not depend on the values is compared exactly (requires_grad lines,
grad_fn reprs matched up to the address); ``x.grad`` after the doubling loop
must equal ``v * 2**k`` for the k the loop implies.  A separate test feeds
those blocks the values ``torch.manual_seed(0)`` draws and then compares the
whole printed text exactly.
"""

import re
from pathlib import Path

import numpy as np
import pytest

import dualrev

TUTORIAL = (Path(__file__).resolve().parents[2] / "shared" / "seed"
            / "pytorch-autograd-tutorial.zh.md")

# Index (in order of appearance) of each ```python block, and what it is.
SIGNATURE_BLOCK = 0     # `torch.autograd.backward(tensors, gard_tensors = None, ...)`: an API signature, not a program
N_BLOCKS = 11
OPTIMIZER_BLOCK = 6     # torch.optim.SGD
RANDOM_BLOCKS = (8, 9, 10)  # 8 and 9 call torch.randn, 10 continues with x from 9
DOUBLING_BLOCK = 9

ADDR = "<ADDR>"  # stands for the hex address in a grad_fn repr

# What PyTorch 2.13.0+cpu prints for each block (default dtype float32), run
# in one session in order (blocks 8-10 after 7, as the tutorial reads), with
# torch.manual_seed(0) before block 8.
NON_SCALAR_OUT = ("x:\n"
                  "tensor([[0., 0.],\n"
                  "        [1., 2.]], requires_grad=True)\n"
                  "y:\n"
                  "tensor([[1., 1.],\n"
                  "        [0., 1.]], grad_fn=<AddBackward0>)\n"
                  "x_grad:\n"
                  "tensor([[-2., -2.],\n"
                  "        [ 0.,  2.]])\n")
TORCH_OUT = {
    1: "tensor(-2.)\n",
    2: NON_SCALAR_OUT,
    3: NON_SCALAR_OUT,  # the weighted-sum block prints the same
    4: "tensor(-2.)\ntensor(2.)\n",
    5: "tensor(2.) tensor(1.)\ntensor(3.) tensor(2.)\n",
    6: "y = 0.0; x = 0.9999589920043945\n",
    7: ("x: tensor([[1., 1.],\n"
        "        [1., 1.]], requires_grad=True)\n"
        "x.requires_grad: True\n"
        "y: tensor([[3., 3.],\n"
        "        [3., 3.]], grad_fn=<AddBackward0>)\n"
        f"y.grad_fn: <AddBackward0 object at {ADDR}>\n"
        "z: tensor([[27., 27.],\n"
        "        [27., 27.]], grad_fn=<MulBackward0>)\n"
        f"z.grad_fn <MulBackward0 object at {ADDR}>\n"
        "out: tensor(27., grad_fn=<MeanBackward0>)\n"
        f"out.grad_fn: <MeanBackward0 object at {ADDR}>\n"
        "x.grad: tensor([[4.5000, 4.5000],\n"
        "        [4.5000, 4.5000]])\n"),
    8: ("a.requires_grad False\n"
        "a.requires_grad: True\n"
        f"b.grad_fn <SumBackward0 object at {ADDR}>\n"),
    # first line with torch.manual_seed(0); it depends on the random values
    9: ("tensor([1.0240e+02, 1.0240e+03, 1.0240e-01])\n"
        "True\n"
        "True\n"
        "False\n"),
    10: "True\nFalse\ntensor(True)\n",
}

# The same programs under torch.set_default_dtype(torch.float64): identical
# text for every block except the optimizer's, where float32 rounding showed.
TORCH_OUT_FLOAT64 = dict(TORCH_OUT)
TORCH_OUT_FLOAT64[6] = "y = 1.6829673210594365e-09; x = 0.9999589760148547\n"

# torch.manual_seed(0); torch.randn(2, 2).tolist(); torch.randn(3).tolist()
TORCH_RANDN_SEED0 = [
    [[1.5409960746765137, -0.293428897857666],
     [-2.1787893772125244, 0.5684312582015991]],
    [-1.0845223665237427, -1.3985954523086548, 0.40334683656692505],
]

DTYPES = ["float32", "float64"]


# ---------------------------------------------------------------- helpers

def _fences(text):
    """All fenced blocks of the markdown, in order, as (language, body)."""
    return [(m.group(1), m.group(2)) for m in
            re.finditer(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", text, flags=re.S | re.M)]


def _load():
    if not TUTORIAL.is_file():
        pytest.skip(f"seed tutorial not found at {TUTORIAL} "
                    "(expected ../shared/seed/ next to the repository)")
    return TUTORIAL.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tutorial_text():
    return _load()


@pytest.fixture(scope="module")
def blocks(tutorial_text):
    """The tutorial's python blocks, exactly as written."""
    return [body for lang, body in _fences(tutorial_text) if lang.strip() == "python"]


@pytest.fixture(scope="module")
def shown_outputs(tutorial_text):
    """{python block index: the output the tutorial shows right after it}."""
    shown, index = {}, -1
    previous = None
    for lang, body in _fences(tutorial_text):
        if lang.strip() == "python":
            index += 1
        elif lang.strip() == "" and previous == "python":
            shown[index] = body
        previous = lang.strip()
    return shown


def _on_dualrev(code):
    """The block with ``import torch`` replaced by ``import dualrev as torch``."""
    return re.sub(r"^import torch[ \t]*$", "import dualrev as torch", code, flags=re.M)


def _starts_program(code):
    return re.search(r"^import torch[ \t]*$", code, flags=re.M) is not None


def _segment(blocks, i):
    """Blocks a reader runs to get to block i: from the last one that imports
    torch (a fresh program) up to i."""
    start = i
    while not _starts_program(blocks[start]):
        start -= 1
        assert start > SIGNATURE_BLOCK, f"block {i} runs without any `import torch`"
    return list(range(start, i + 1))


def _run(blocks, indices, capsys, namespace=None):
    """Run the blocks in one namespace, in order; return {index: stdout}."""
    ns = {"__name__": "__tutorial__"} if namespace is None else namespace
    outputs = {}
    capsys.readouterr()
    for i in indices:
        code = compile(_on_dualrev(blocks[i]), f"<tutorial block {i}>", "exec")
        try:
            exec(code, ns)
        finally:
            outputs[i] = capsys.readouterr().out
    return outputs, ns


def _pattern(expected):
    """A regex matching ``expected`` with each <ADDR> standing for any address."""
    return "".join(re.escape(part) if part != ADDR else r"0x[0-9a-f]+"
                   for part in re.split(f"({re.escape(ADDR)})", expected))


def _assert_text(actual, expected, i):
    if ADDR in expected:
        assert re.fullmatch(_pattern(expected), actual), (
            f"block {i}: printed\n{actual}\nexpected (up to addresses)\n{expected}")
    else:
        assert actual == expected, f"block {i}: printed\n{actual}\nexpected\n{expected}"


def _doubling_k(x_values):
    """The number of doublings in `y = x * 2; while y.data.norm() < 1000: y = y * 2`."""
    k, norm = 1, float(np.linalg.norm(np.asarray(x_values, dtype=np.float64)))
    while norm * 2.0 ** k < 1000:
        k += 1
    return k


def _torch_sci_line(values):
    """How PyTorch prints a 1-d float tensor whose nonzero magnitudes span more
    than 10**3 (scientific mode, precision 4, equal widths)."""
    strs = [f"{float(v):.4e}" for v in values]
    width = max(len(s) for s in strs)
    return "tensor([" + ", ".join(s.rjust(width) for s in strs) + "])"


def _check_doubling_block(out, ns, dtype_name):
    """Block 9 with random x: the values differ from PyTorch's, the layout and
    the relation x.grad == v * 2**k do not."""
    lines = out.split("\n")
    assert lines[1:] == ["True", "True", "False", ""], out
    x, v = ns["x"], ns["v"]
    assert str(v.dtype) == "dualrev.float32"
    assert str(x.dtype) == f"dualrev.{dtype_name}"
    k = _doubling_k(x.detach().numpy())
    grad = np.asarray(x.grad.numpy())
    assert grad.dtype == np.dtype(dtype_name), "a gradient takes the dtype of its input"
    expected = np.asarray(v.numpy(), dtype=np.float32).astype(dtype_name) * 2.0 ** k
    np.testing.assert_array_equal(grad, expected)
    # v spans 10**4, so PyTorch prints it in scientific mode
    assert lines[0] == _torch_sci_line(expected), out


@pytest.fixture
def default_dtype(request):
    """Set dualrev's default dtype for the test; restore the previous one."""
    previous = dualrev.get_default_dtype()
    dualrev.set_default_dtype(getattr(dualrev, request.param))
    dualrev.manual_seed(0)
    try:
        yield request.param
    finally:
        dualrev.set_default_dtype(previous)


@pytest.fixture
def library_default():
    """Run under the library's own default dtype; restore it if a block changed it."""
    previous = dualrev.get_default_dtype()
    assert str(previous) == "dualrev.float64", "dualrev's default dtype is float64"
    dualrev.manual_seed(0)
    try:
        yield
    finally:
        dualrev.set_default_dtype(previous)


# ---------------------------------------------------------------- tests

def test_tutorial_blocks_are_where_the_tests_expect_them(blocks):
    assert len(blocks) == N_BLOCKS
    assert "gard_tensors" in blocks[SIGNATURE_BLOCK]
    assert "torch.optim.SGD" in blocks[OPTIMIZER_BLOCK]
    assert all("torch.randn" in blocks[i] for i in (8, 9))
    assert "while y.data.norm() < 1000" in blocks[DOUBLING_BLOCK]
    assert [i for i in range(1, N_BLOCKS) if _starts_program(blocks[i])] == [1, 2, 3, 4, 5, 6, 7]
    for code in blocks:  # torch reaches the blocks only through `import torch`
        assert not re.search(r"^\s*(from torch|import torch\.)", code, flags=re.M)


def test_signature_block_is_not_a_program(blocks):
    # `torch.autograd.backward(tensors, gard_tensors = None, ...)` names
    # undefined variables and misspells grad_tensors: it documents, it does not run.
    assert blocks[SIGNATURE_BLOCK].lstrip().startswith("torch.autograd.backward(")
    pytest.skip("block 0 is the API signature of torch.autograd.backward "
                "(with the typo `gard_tensors`), not a runnable program")


@pytest.mark.parametrize("default_dtype", DTYPES, indirect=True)
@pytest.mark.parametrize("i", [i for i in range(1, N_BLOCKS) if i not in RANDOM_BLOCKS])
def test_block_prints_what_pytorch_prints(blocks, i, default_dtype, capsys):
    """Blocks without random numbers: the exact text PyTorch prints (grad_fn
    addresses aside).  Block 6 needs dualrev.optim.SGD."""
    outputs, _ = _run(blocks, _segment(blocks, i), capsys)
    expected = (TORCH_OUT if default_dtype == "float32" else TORCH_OUT_FLOAT64)[i]
    _assert_text(outputs[i], expected, i)


@pytest.mark.parametrize("default_dtype", DTYPES, indirect=True)
def test_requires_grad_block_with_random_a(blocks, default_dtype, capsys):
    """Block 8 (`a = torch.randn(2, 2)` ...): nothing printed depends on a's values."""
    outputs, ns = _run(blocks, _segment(blocks, 8), capsys)
    _assert_text(outputs[8], TORCH_OUT[8], 8)
    assert ns["b"].grad_fn.name() == "SumBackward0"


@pytest.mark.parametrize("default_dtype", DTYPES, indirect=True)
def test_doubling_block_with_random_x(blocks, default_dtype, capsys):
    """Block 9: x.grad == v * 2**k, printed in PyTorch's layout; requires_grad
    lines exact (including False under no_grad)."""
    outputs, ns = _run(blocks, _segment(blocks, 9), capsys)
    _check_doubling_block(outputs[9], ns, default_dtype)


@pytest.mark.parametrize("default_dtype", DTYPES, indirect=True)
def test_detach_block_continues_with_x(blocks, default_dtype, capsys):
    """Block 10 uses x from block 9: detach keeps the values, drops requires_grad."""
    outputs, ns = _run(blocks, _segment(blocks, 10), capsys)
    _assert_text(outputs[10], TORCH_OUT[10], 10)
    assert ns["y"] is not ns["x"] and ns["y"].grad_fn is None


@pytest.mark.parametrize("default_dtype", DTYPES, indirect=True)
def test_random_blocks_with_pytorchs_random_values(blocks, default_dtype, capsys, monkeypatch):
    """Blocks 7-10 with `torch.randn` giving exactly what torch.manual_seed(0)
    gives: then every printed character matches PyTorch's output."""
    draws = list(TORCH_RANDN_SEED0)

    def randn(*size, dtype=None, device=None, requires_grad=False):
        values = np.asarray(draws.pop(0), dtype=np.float32)
        shape = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
        assert values.shape == shape, "the tutorial's randn calls changed"
        return dualrev.tensor(values.astype(np.float64).tolist(), dtype=dtype,
                              requires_grad=requires_grad)

    monkeypatch.setattr(dualrev, "randn", randn)
    outputs, ns = _run(blocks, _segment(blocks, 10), capsys)
    assert not draws
    for i in (7, 8, 9, 10):
        _assert_text(outputs[i], TORCH_OUT[i], i)
    _check_doubling_block(outputs[9], ns, default_dtype)


def test_whole_tutorial_in_one_session_float64(blocks, library_default, capsys):
    """A reader's session: every block in order in one namespace, dualrev's
    default float64 throughout.  Same text as PyTorch wherever the layout does
    not depend on float32 rounding; the optimizer block (needs
    dualrev.optim.SGD) is compared with PyTorch under float64 and its numbers
    with PyTorch's float32 result."""
    outputs, ns = {}, {"__name__": "__tutorial__"}
    failures = []
    for i in range(1, N_BLOCKS):
        try:
            out, ns = _run(blocks, [i], capsys, ns)
            outputs.update(out)
        except Exception as exc:  # keep going: later blocks do not need block 6
            failures.append(f"block {i} raised {type(exc).__name__}: {exc}")
    for i in range(1, N_BLOCKS):
        if i in outputs and i != DOUBLING_BLOCK:
            try:
                _assert_text(outputs[i], TORCH_OUT_FLOAT64[i], i)
            except AssertionError as exc:
                failures.append(str(exc))
    if DOUBLING_BLOCK in outputs:
        _check_doubling_block(outputs[DOUBLING_BLOCK], ns, "float64")
    if OPTIMIZER_BLOCK in outputs:
        m = re.fullmatch(r"y = (\S+); x = (\S+)\n", outputs[OPTIMIZER_BLOCK])
        assert m, outputs[OPTIMIZER_BLOCK]
        y, x = float(m.group(1)), float(m.group(2))
        assert abs(x - 0.9999589920043945) < 1e-6 and abs(y) < 1e-8
    assert not failures, "\n".join(failures)


def test_shown_outputs_agree_with_pytorch_up_to_whitespace(shown_outputs):
    """The expectations above are the tutorial's own results: where the
    tutorial shows an output, it has the same text as current PyTorch up to
    the stray spaces -- except the optimizer block, printed by an older
    PyTorch (0-d tensors in f-strings now format as Python numbers)."""
    assert sorted(shown_outputs) == [1, 2, 3, 4, 5, 6]
    squash = lambda s: re.sub(r"\s+", "", s)  # noqa: E731
    for i in (1, 2, 3, 4, 5):
        assert squash(shown_outputs[i]) == squash(TORCH_OUT[i]), i
    assert squash(shown_outputs[OPTIMIZER_BLOCK]) == "y=tensor(0.);x=tensor(1.0000)"
