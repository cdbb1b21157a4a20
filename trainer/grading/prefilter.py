"""Prefilters: cheap tests that a rubric pattern cannot match a reply.

Python's ``re`` has no multi-pattern scan: a rubric has about 150 patterns (its concepts,
forbidden phrases, violations and the shared safety net), and searching each of them, or one
alternation of all of them, costs far more than the rest of grading.  Yet most cannot match a
given reply at all, because a word they need (验证码, 骗子, 银行卡 …) is not in it.

:func:`requirements` reads a compiled pattern's syntax tree and returns sets of strings such
that **every** match contains one string of each set.  From them a :class:`Prefilter` keeps

* ``keys``: per requirement, the rarest character of each of its strings: a reply that has
  none of them cannot match.  The grader indexes its patterns by these characters, so a
  reply's set of characters picks the few patterns worth searching in one pass;
* ``test``: substring tests for the short requirements (``"验证码" in t``).

Both are exact necessary conditions: when they say "cannot match", the pattern cannot; when
they say "maybe", the pattern itself decides.  So a prefilter never changes a grade, it only
skips work.  The analysis is conservative: anything it does not understand (inline flags,
back references, character classes with ranges or categories) adds no requirement, never a
wrong one; a pattern with no requirement at all is always searched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import product
from operator import add
from re import _compiler
from re import _constants as _c
from re import _parser as _p

#: a node's exact set of strings is only built while it stays this small
MAX_EXACT = 64
#: a requirement is tested with ``in`` only when it has at most this many strings
CHEAP_TEST = 3
#: characters of customer-service replies, most frequent first (share of the repository's
#: model answers and graded replies that contain each): a required string is keyed by its
#: rarest character, and a requirement made of frequent characters filters little.  Only a
#: heuristic for speed: any order gives the same grades.
FREQUENT = (
    ",你亲我不的了是们发给哦就退一好货可下以这问有单款请收歉能在到没抱要天上后~费题理会时出意价个"
    "快已常号帮申经吧回0?马非话看过来补递订烦运麻实用!也付拍1等包行诉开量品自还.先质需查流签接再物"
    "核寄3么边解便哈直里都让人思心7己信担间5送保说点换去加2处吗把承和告现支买很格对8什验码动定差方"
    "明为照第新多服系找账正裹别店邮"
)
_RANK = {ch: i for i, ch in enumerate(FREQUENT)}


def _share(ch: str) -> float:
    """A rough share of replies that contain ``ch``."""
    rank = _RANK.get(ch)
    if rank is None:
        return 0.01
    return 0.5 if rank < 10 else 0.2 if rank < 40 else 0.08 if rank < 100 else 0.03


def key_char(s: str) -> str:
    """The rarest character of ``s``."""
    return min(s, key=lambda ch: (-_RANK.get(ch, len(FREQUENT)), ch))


_LIT = _c.LITERAL
_IN = _c.IN
_SUB = _c.SUBPATTERN
_BRANCH = _c.BRANCH
_REPEATS = tuple(
    op for op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)) if op
)
_ATOMIC = getattr(_c, "ATOMIC_GROUP", None)
_ZERO_WIDTH = (_c.AT, _c.ASSERT, _c.ASSERT_NOT)


def _cost(strings: frozenset[str]) -> float:
    """How often one of ``strings`` is expected in a reply (lower filters better)."""
    total = 0.0
    for s in strings:
        p = 1.0
        for ch in s:
            p *= _share(ch)
        total += p
    return total


def _minimal(strings: set[str] | frozenset[str]) -> frozenset[str]:
    """Drop strings that contain another one: "contains one of" means the same."""
    out: list[str] = []
    for s in sorted(strings, key=len):
        if not any(o in s for o in out):
            out.append(s)
    return frozenset(out)


Need = frozenset[str]  # "every match contains one of these strings"


class _Node:
    """What the analysis knows about a piece of pattern: ``exact`` (every string it can
    match, when few and known) and ``needs`` (requirements that each hold for every match)."""

    __slots__ = ("exact", "needs")

    def __init__(self, exact: frozenset[str] | None, needs: tuple[Need, ...] = ()):
        self.exact = exact
        self.needs = needs


_UNKNOWN = _Node(None)
_EMPTY = _Node(frozenset({""}))


def _usable(need: frozenset[str] | None) -> bool:
    return bool(need) and "" not in need


def _best(needs: tuple[Need, ...]) -> Need | None:
    return min(needs, key=_cost) if needs else None


def _cross(a: frozenset[str], b: frozenset[str]) -> frozenset[str]:
    return frozenset(x + y for x, y in product(a, b))


def _seq(items) -> _Node:
    nodes = [_node(op, av) for op, av in items]
    # the exact strings of the whole sequence (cross product), when small
    exact: frozenset[str] | None = frozenset({""})
    for n in nodes:
        if exact is None or n.exact is None or len(exact) * len(n.exact) > MAX_EXACT:
            exact = None
            break
        exact = _cross(exact, n.exact)
    # every node's requirements hold for the sequence, and so does the cross product of every
    # maximal run of nodes whose exact strings are known (a run is matched contiguously)
    needs: list[Need] = [x for n in nodes for x in n.needs]
    run: frozenset[str] | None = None
    for n in [*nodes, _UNKNOWN]:
        if n.exact is not None and (run is None or len(run) * len(n.exact) <= MAX_EXACT):
            run = n.exact if run is None else _cross(run, n.exact)
            continue
        if run is not None and _usable(run):
            needs.append(_minimal(run))
        run = n.exact
    if exact is not None and _usable(exact):
        needs.append(_minimal(exact))
    return _Node(exact, tuple(dict.fromkeys(needs)))


def _node(op, av) -> _Node:
    if op is _LIT:
        one = frozenset({chr(av)})
        return _Node(one, (one,))
    if op is _IN:
        chars = set()
        for iop, iav in av:
            if iop is not _LIT:
                return _UNKNOWN  # ranges, categories, negation: unknown
            chars.add(chr(iav))
        exact = frozenset(chars)
        return _Node(exact, (exact,) if len(exact) <= 8 else ())
    if op is _SUB:
        _group, add_flags, del_flags, sub = av
        if add_flags or del_flags:
            return _UNKNOWN
        return _seq(sub)
    if _ATOMIC is not None and op is _ATOMIC:
        return _seq(av)
    if op is _BRANCH:
        parts = [_seq(b) for b in av[1]]
        exact = None
        if all(p.exact is not None for p in parts):
            merged = frozenset().union(*(p.exact for p in parts))
            exact = merged if len(merged) <= MAX_EXACT else None
        # a match matches one branch: it contains the best requirement of that branch
        bests = [_best(p.needs) for p in parts]
        if any(b is None for b in bests):
            return _Node(exact)
        return _Node(exact, (_minimal(frozenset().union(*bests)),))
    if op in _REPEATS:
        lo, hi, sub = av
        inner = _seq(sub)
        exact = None
        if inner.exact is not None and hi <= 2:
            options: set[str] = set()
            for k in range(lo, hi + 1):
                options |= {"".join(t) for t in product(inner.exact, repeat=k)}
                if len(options) > MAX_EXACT:
                    break
            exact = frozenset(options) if len(options) <= MAX_EXACT else None
        return _Node(exact, inner.needs if lo >= 1 else ())
    if op in _ZERO_WIDTH:
        return _EMPTY  # matches the empty string (whatever it asserts about its context)
    return _UNKNOWN


def _implies(a: Need, b: Need) -> bool:
    """Whether containing one of ``a`` implies containing one of ``b``."""
    return all(any(y in x for y in b) for x in a)


def requirements(pattern: re.Pattern[str], most: int = 3) -> tuple[Need, ...]:
    """Up to ``most`` requirements that every match of ``pattern`` meets, the most selective
    first; empty when none is known.  Each is a set of strings one of which the matched text
    contains (so the text being searched contains it too)."""
    if pattern.flags & ~(re.IGNORECASE | re.UNICODE):
        return ()
    try:
        tree = _p.parse(pattern.pattern, pattern.flags)
    except Exception:  # pragma: no cover - a compiled pattern always parses
        return ()
    chosen: list[Need] = []
    for need in sorted(_seq(tree.data).needs, key=lambda n: (_cost(n), sorted(n))):
        if len(chosen) == most:
            break
        if not any(_implies(c, need) for c in chosen):
            chosen.append(need)
    return tuple(chosen)


def _iscased(ch: str) -> bool:
    return bool(_compiler._sre.unicode_iscased(ord(ch)))


@cache
def _case_variants(ch: str) -> frozenset[str]:
    """Every character that ``ch`` matches case-insensitively, as ``re`` itself decides
    (for ``k``: k, K and the Kelvin sign)."""
    if not _iscased(ch):
        return frozenset({ch})
    return frozenset(re.findall(re.escape(ch), _all_characters(), re.IGNORECASE))


@lru_cache(maxsize=1)
def _all_characters() -> str:
    return "".join(chr(x) for x in range(0x110000) if not 0xD800 <= x <= 0xDFFF)


def text_keys(text: str) -> set[str]:
    """The keys a text offers: its characters and its pairs of adjacent characters."""
    keys = set(text)
    keys.update(map(add, text, text[1:]))
    return keys


def _variants(ch: str) -> frozenset[str]:
    return _case_variants(ch) if _iscased(ch) else frozenset({ch})


def string_key(s: str) -> frozenset[str]:
    """Keys one of which any text containing ``s`` offers: its rarest pair of adjacent
    characters (a single character for a one-character ``s``).  A letter, which a
    case-insensitive pattern matches in either case, stands for every case form of it
    (``我tm`` is keyed by tm, tM, Tm … ).  A pair is far more selective than a character:
    不会看 is keyed by 会看, where 看 alone is in half the replies."""
    if len(s) == 1:
        return _variants(s)
    options = [
        frozenset(a + b for a in _variants(s[i]) for b in _variants(s[i + 1]))
        for i in range(len(s) - 1)
    ]
    return min(
        options,
        key=lambda keys: (sum(_share(k[0]) * _share(k[1]) for k in keys), sorted(keys)),
    )


@dataclass(frozen=True)
class Prefilter:
    """Cheap tests that a pattern cannot match a text, from its requirements (``needs``,
    the most selective first).

    ``keys[i]``: characters one of which a text must have to meet ``needs[i]`` (the grader
    indexes patterns by ``keys[0]``).  ``check``: the rest — the other requirements' keys,
    and substring tests for the requirements of at most :data:`CHEAP_TEST` strings.  All are
    exact necessary conditions."""

    keys: tuple[frozenset[str], ...]
    needs: tuple[Need, ...]
    #: ``check(text, keys_of_text)``: the other requirements' keys and every short
    #: requirement's substring test, as one generated function (None: nothing to check)
    check: Callable[[str, set[str]], bool] | None = field(repr=False, compare=False)

    def may_match(self, text: str, keys: set[str] | None = None) -> bool:
        offered = text_keys(text) if keys is None else keys
        if self.keys[0].isdisjoint(offered):
            return False
        return self.check is None or self.check(text, offered)


def prefilter(pattern: re.Pattern[str]) -> Prefilter | None:
    """The :class:`Prefilter` of ``pattern``, or None when no requirement is known."""
    needs = requirements(pattern)
    if not needs:
        return None
    keys = tuple(frozenset().union(*(string_key(s) for s in need)) for need in needs)
    ignorecase = pattern.flags & re.IGNORECASE
    tests = []
    for need in needs:
        strings = sorted(need, key=lambda s: (len(s), s))
        if len(strings) > CHEAP_TEST or (
            ignorecase and any(_iscased(ch) for s in strings for ch in s)
        ):
            continue  # a longer test costs about as much as searching the pattern itself
        tests.append(strings)
    return Prefilter(keys, needs, _compile_check(keys[1:], tests))


def _compile_check(
    more: tuple[frozenset[str], ...], tests: list[list[str]]
) -> Callable[[str, set[str]], bool] | None:
    """One function for what a text must have besides the first requirement's keys:
    ``lambda t, k, K0=…: not k.isdisjoint(K0) and ("a" in t or "b" in t) and "c" in t``
    (the strings are literals written with ``repr``; the key sets are bound defaults)."""
    terms = [f"not k.isdisjoint(K{i})" for i in range(len(more))]
    terms += ["(" + " or ".join(f"{s!r} in t" for s in strings) + ")" for strings in tests]
    if not terms:
        return None
    params = "".join(f", K{i}=K{i}" for i in range(len(more)))
    namespace = {"__builtins__": {}, **{f"K{i}": k for i, k in enumerate(more)}}
    return eval(f"lambda t, k{params}: {' and '.join(terms)}", namespace)
