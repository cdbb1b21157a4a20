"""Chinese normalisation of a reply, keeping a map back to what the trainee typed.

``normalize("亲，您好！ 可以开发票")`` gives ``"亲,你好!可以开发票"`` and, for every normalised
character, the offset of the original character it came from, so a regex match on the
normalised text can be highlighted in the original.

Steps: NFKC (full-width → half-width: ``，`` → ``,``), lower case, Chinese-only punctuation
mapped to ASCII (``。`` → ``.``, ``、`` → ``,``, ``～`` → ``~`` …), the pronoun variants
您/妳 folded to 你, zero-width characters removed, and white space handled the way people use
it in chat: a space between words (``亲 对不起 链接不方便打开``) is a pause, so it becomes a
clause break ``,``; white space next to punctuation, at either end, or next to a Latin
letter or digit (``验证码是 583920``) is removed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CHAR_MAP = str.maketrans(
    {
        "。": ".",
        "｡": ".",
        "、": ",",
        "〜": "~",
        "～": "~",
        "…": ".",
        "—": "-",
        "–": "-",
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "「": '"',
        "」": '"',
        "『": '"',
        "』": '"',
        "【": "[",
        "】": "]",
        "《": "<",
        "》": ">",
        "您": "你",
        "妳": "你",
    }
)
#: what NFKC does to full-width ASCII (U+FF01–FF5E → U+0021–007E), plus the keys of
#: _CHAR_MAP that NFKC leaves alone — applied *before* NFKC so that most replies are
#: NFKC-normal afterwards and skip it.  Left out: … (NFKC makes it three dots) and 《》
#: (mapped to < and >, which NFKC would compose with a following U+0338).
_PRE_MAP = {
    **{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)},
    **{chr(k): v for k, v in _CHAR_MAP.items() if chr(k) not in "…《》"},
}
_PRE = str.maketrans(_PRE_MAP)
#: the few characters most replies carry, replaced with str.replace (a C scan each) before
#: the slower per-character translate is considered
_COMMON = tuple((k, _PRE_MAP[k]) for k in "，。您！？：；、（）～")
_PRE_RE = re.compile("[" + re.escape("".join(_PRE_MAP)) + "]")
_AFTER_NFKC_RE = re.compile("[" + re.escape("".join(chr(k) for k in _CHAR_MAP)) + "]")
_DROP = re.compile(r"[\s\u200b-\u200f\u2060\ufeff]")
_DROP_RUN = re.compile(r"[\s\u200b-\u200f\u2060\ufeff]+")
_LATIN = re.compile(r"[a-z0-9]")
#: punctuation a space before which is not a pause
_CLOSERS = frozenset(")]}>\"'")
#: characters that end a clause in normalised text
CLAUSE_BREAK = frozenset(",.!?;:~\n")


@dataclass(frozen=True)
class Normalized:
    text: str
    #: offsets into the original text, one per normalised character, plus the original length
    index: tuple[int, ...] | None  # None: identity (no character was added or removed)
    original_length: int

    def __init__(self, text: str, index: tuple[int, ...] | None, original_length: int) -> None:
        d = self.__dict__  # (as in trainer.grading.result: faster than the generated one)
        d["text"] = text
        d["index"] = index
        d["original_length"] = original_length

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised ``[start, end)`` back to the original text."""
        if self.index is None:
            return start, end
        if start >= end:
            pos = self.index[start] if start < len(self.index) else self.original_length
            return pos, pos
        return self.index[start], self.index[end - 1] + 1


def normalize(text: str) -> Normalized:
    """Normalise ``text`` (see the module docstring)."""
    chars, index = _mapped(text)
    return _spaced(text, chars, index)


def _mapped(text: str) -> tuple[str, list[int] | None]:
    """The characters after NFKC, lower case and _CHAR_MAP, and for each the offset of the
    original character (None: one for one, in order).

    The same result as the plain recipe (:func:`_mapped_reference`), reached faster: the
    one-to-one replacements come first, and NFKC runs only on what is not NFKC-normal after
    them (NFKC gives the same result on compatibility-equivalent text, and the other
    replacements touch only characters NFKC keeps and never composes)."""
    pre = text
    for a, b in _COMMON:
        if a in pre:
            pre = pre.replace(a, b)
    if _PRE_RE.search(pre):
        pre = pre.translate(_PRE)
    nfkc = pre if unicodedata.is_normalized("NFKC", pre) else unicodedata.normalize("NFKC", pre)
    low = nfkc.lower()
    if len(nfkc) == len(text) and len(low) == len(text):
        return (low.translate(_CHAR_MAP) if _AFTER_NFKC_RE.search(low) else low), None
    return _by_character(text)


def _mapped_reference(text: str) -> tuple[str, list[int] | None]:
    """:func:`_mapped` by the plain recipe (the tests hold the fast path to it)."""
    nfkc = unicodedata.normalize("NFKC", text)
    low = nfkc.lower()
    if len(nfkc) == len(text) and len(low) == len(text):
        return low.translate(_CHAR_MAP), None
    return _by_character(text)


def _by_character(text: str) -> tuple[str, list[int]]:
    """Some character changed length under NFKC or lower(): map character by character."""
    parts, index = [], []
    for i, ch in enumerate(text):
        for p in unicodedata.normalize("NFKC", ch).lower().translate(_CHAR_MAP):
            parts.append(p)
            index.append(i)
    return "".join(parts), index


def _spaced(text: str, chars: str, index: list[int] | None) -> Normalized:
    """White space and zero-width characters, handled as the module docstring says."""
    if index is None:
        if not _DROP.search(chars):
            return Normalized(chars, None, len(text))
        index = range(len(chars))
    # copy the text between runs of white space / zero-width characters; decide at each run
    out: list[str] = []
    keep: list[int] = []
    n, done = len(chars), 0
    for run in _DROP_RUN.finditer(chars):
        i, j = run.span()
        out.append(chars[done:i])
        keep.extend(index[done:i])
        done = j
        spaced = any(c.isspace() for c in chars[i:j])
        before = chars[i - 1] if i else ""  # runs are maximal: the last character kept
        after = chars[j] if j < n else ""
        # a space next to a Latin letter or digit is not a pause: 验证码是 583920, 单号 SF12
        latin = _LATIN.match(before) or _LATIN.match(after)
        pause = spaced and before and after and not latin
        if pause and before not in CLAUSE_BREAK and after not in CLAUSE_BREAK | _CLOSERS:
            out.append(",")  # a pause between words
            keep.append(index[i])
    out.append(chars[done:])
    keep.extend(index[done:])
    keep.append(len(text))
    return Normalized("".join(out), tuple(keep), len(text))


def is_break(text: str, i: int) -> bool:
    """Whether ``text[i]`` ends a clause (a decimal point, as in 0.8%, does not)."""
    ch = text[i]
    if ch not in CLAUSE_BREAK:
        return False
    decimal = ch == "." and 0 < i < len(text) - 1 and text[i - 1].isdigit()
    return not (decimal and text[i + 1].isdigit())


_BREAK_CHAR = re.compile(r"[,.!?;:~\n]")


def break_positions(text: str) -> list[int]:
    """Offsets of every clause break in ``text`` (:func:`is_break`), in order."""
    out = []
    last = len(text) - 1
    for m in _BREAK_CHAR.finditer(text):
        i = m.start()
        if text[i] == "." and 0 < i < last and text[i - 1].isdigit() and text[i + 1].isdigit():
            continue  # a decimal point (0.8%)
        out.append(i)
    return out


def clause_start(text: str, pos: int) -> int:
    """Offset where the clause containing ``pos`` starts (after the previous break)."""
    i = pos - 1
    while i >= 0 and not is_break(text, i):
        i -= 1
    return i + 1
