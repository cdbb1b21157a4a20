"""Is a phrase said negatively?  ``特价商品不能开发票`` says 开发票 negatively.

A match is *negated* when the number of negators in its window is odd.  The window is the
part of the match's clause that stands up to :data:`WINDOW` characters before the match, plus
the match itself (so gaps in a pattern such as ``发票.{0,8}能`` catch ``发票不能``, and
post-verb forms such as ``开不了发票`` count).  A double negation (不是不能, 不会不给) is
positive.  Phrases that contain 不/没/无 but negate nothing (不好意思, 没问题, 不客气,
不用担心 …) are masked first.
"""

from __future__ import annotations

import re

from trainer.grading.normalize import clause_start

WINDOW = 8

#: longest first, so 没有 counts once and 不能 is not 不 + 能
NEGATORS = (
    "不可以",
    "不支持",
    "不提供",
    "不需要",
    "不允许",
    "没办法",
    "没法",
    "无法",
    "无需",
    "不能",
    "不可",
    "不会",
    "不予",
    "不给",
    "不用",
    "不必",
    "不要",
    "不是",
    "并非",
    "没有",
    "拒绝",
    "不",
    "没",
    "未",
    "无",
    "别",
    "非",
    "莫",
)
NEGATOR_RE = re.compile("|".join(NEGATORS))

#: phrases with a negator character that negate nothing; masked before counting
NOT_NEGATIONS = (
    "不好意思",
    "没问题",
    "没关系",
    "不客气",
    "不用客气",
    "不用谢",
    "不错",
    "不用担心",
    "不必担心",
    "不要担心",
    "别担心",
    "别着急",
    "不要着急",
    "不着急",
    "无论",
    "不论",
    "不管",
    "毫无疑问",
    "无忧",
    "不仅",
    "不但",
    "不过",
    "不然",
    "要不",
    "不少",
    "未来",
    "无误",
    "非常",
    "并且",
    "不便",
    "不满",
    "不适",
    "不舒服",
    "不开心",
    "不愉快",
    "不周",
    "没想到",
    "无理由",
    "无偿",
    "无条件",
    "无损",
    "无效",
    "不限",
    # states of the order or goods, described rather than negated
    "未发货",
    "没发货",
    "没有发货",
    "还没发",
    "未收到",
    "没收到",
    "没有收到",
    "未签收",
    "没签收",
    "不合适",
    "不喜欢",
    "不满意",
    "不一致",
    "不相符",
    "不符",
    "不影响",
    "不正常",
    "不清楚",
    "不方便",
    "不及时",
    "不到位",
)
_MASK_RE = re.compile("|".join(sorted(NOT_NEGATIONS, key=len, reverse=True)))
#: a conjunction starts a new scope: 虽然不是质量问题但可以补偿 — 不是 does not reach 可以补偿
_SCOPE_BREAK = re.compile("但是|但|而且|所以|因此|另外|同时|并且|如果|只要|只是|就是")


def mask_non_negations(text: str) -> str:
    """Replace phrases that only look negative with placeholders of the same length."""
    return _MASK_RE.sub(lambda m: "\x00" * len(m.group()), text)


def is_negated(masked: str, start: int, end: int, *, include_match: bool = True) -> bool:
    """Whether the match ``[start, end)`` of the (masked) normalised text is negated.

    ``include_match=False`` counts only the window before the match: used for patterns that
    spell a negation out themselves (``发票.{0,6}开不了``), whose own 不 is what they mean."""
    lo = max(clause_start(masked, start), start - WINDOW)
    for m in _SCOPE_BREAK.finditer(masked, lo, start):
        lo = m.end()
    return len(NEGATOR_RE.findall(masked, lo, end if include_match else start)) % 2 == 1


def spells_negation(pattern: str) -> bool:
    """Whether a rubric pattern contains a negator of its own."""
    return NEGATOR_RE.search(mask_non_negations(pattern)) is not None
