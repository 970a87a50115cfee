"""Reference docstrings of the elementwise functions of the rule table
(``dr.sin``, ``dr.add``, ...), by public name."""

DOCS: dict[str, str] = {}
