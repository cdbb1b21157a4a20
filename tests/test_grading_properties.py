"""Property tests: no input string crashes the grader; scores stay within [0, max]."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.catalog import load_catalog
from trainer.grading import grade, normalize

EXAMPLE = load_catalog(Path(__file__).parent / "fixtures" / "example")
REPLY = EXAMPLE.questions["example-invoice-reply"]
CHINESE = st.text(
    alphabet=st.sampled_from(list("亲您好可以不能开发票运费抬头稍等，。！？ 😀<>[]()")),
    max_size=200,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), CHINESE))
def test_reply_never_crashes_and_stays_in_bounds(text) -> None:
    g = grade(REPLY, text)
    assert 0 <= g.score <= g.max_score
    for c in g.criteria:
        for s in c.spans:
            assert 0 <= s.start <= s.end <= len(text)
            assert text[s.start : s.end] == s.text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_normalize_index_is_monotonic_and_in_range(text) -> None:
    n = normalize(text)
    if n.index is not None:
        assert len(n.index) == len(n.text) + 1
        assert list(n.index) == sorted(n.index)
        assert all(0 <= i <= len(text) for i in n.index)
