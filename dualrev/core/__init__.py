"""The core: levels and grad modes, raw values, the primitive record and its
dispatch, the forward box and its handler, the graph, recording and the
backward sweep. It imports nothing else of dualrev; the rules (``rules/``)
fill its table, and the PyTorch-style surface builds on both."""
