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


#: every character the fast path treats specially, with the ones that interact with it:
#: combining marks NFKC composes (U+0301, U+0338), characters NFKC expands (…, ﬁ) or maps
#: (full-width forms, ｡, ︒), and one lower() lengthens (İ)
TRICKY = st.text(
    alphabet=st.sampled_from(
        [
            *"，。您妳！？：；、（）～〜…—–“”‘’「」『』【】《》｡︒ﬁİＡａ＝<>=.,亲好不 \u200b",
            *("\u0301", "\u0338", "A", "z", "1"),
        ]
    ),
    max_size=60,
)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(TRICKY, st.text(max_size=80)))
def test_fast_normalisation_equals_the_plain_recipe(text) -> None:
    """NFKC → lower → character map, done in the faster order, gives the same characters
    and offsets as the plain recipe."""
    from trainer.grading.normalize import _mapped, _mapped_reference

    assert _mapped(text) == _mapped_reference(text)
