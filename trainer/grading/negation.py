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
from bisect import bisect_left

from trainer.grading.normalize import clause_start, is_break

WINDOW = 8

#: longest first, so 没有 counts once and 不能 is not 不 + 能
NEGATORS = (
    "怎么可能",
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
    "哪能",
    "岂能",
    "哪会",
    "不",
    "没",
    "未",
    "无",
    "别",
    "非",
    "莫",
)
NEGATOR_RE = re.compile("|".join(NEGATORS))
#: the first characters of the negators: a window without any holds no negator
_NEGATOR_START = re.compile("[" + "".join(dict.fromkeys(w[0] for w in NEGATORS)) + "]")

#: phrases with a negator character that negate nothing; masked before counting
NOT_NEGATIONS = (
    "不好意思",
    "没问题",
    "没关系",
    "不客气",
    "不用客气",
    "不用谢",
    "不错",
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
    "不及时",
    "不到位",
    # apologies and polite formulas
    "对不起",
    "对不住",
    "不好的",
    "不愉快的",
    "不周到",
    # A-not-A questions ask, they do not negate: 是不是哪里不满意？ 能不能补偿？
    "是不是",
    "能不能",
    "可不可以",
    "会不会",
    "要不要",
    "对不对",
    "有没有",
    "行不行",
    "好不好",
    "用不用",
    "需不需要",
    "方不方便",
    "满不满意",
    "收没收到",
    "没错",
    "说不定",
    # "barring problems", conditionals
    "不出意外",
    "不出问题",
    "要不然",
    # states of the goods, described rather than negated (没穿过的话可以退)
    "没穿过",
    "没穿",
    "未穿",
    "没洗过",
    "没洗",
    "未洗",
    "没用过",
    "未使用",
    "没拆",
    "未拆",
    "没拆封",
    "未拆封",
    "未付款",
    "没付款",
    "还没付",
    "没有付款",
    "未支付",
    "不小心",
    "不留神",
    "不经意",
    "不知不觉",
)
#: masked only where they end a phrase: 给您带来不方便 is polite, 不方便加微信 refuses
NOT_NEGATION_PATTERNS = (
    # "don't worry" reassures, unless it is about a negation: 不用担心不发货 = we will ship
    r"(?:不用|不必|不要|别)担心(?![不没无别])",
    r"不方便(?=的|之|了|[,.!?;:~]|$)",
    r"(.)[不没]\1",  # any X不X / X没X question: 给不给, 退不退, 换不换, 发没发
    # a described state of the goods or a reason, not a negation of what follows:
    # 没有质量问题不能退 refuses (while 非质量问题的运费您出 rightly limits 运费您出)
    r"没有质量问题",
    r"不(?:想)?要的原因",
    r"除非",
    r"不排除",
    r"[洗擦去弄刷搓抹褪]不掉",  # a stain that will not wash off: 洗不掉的黄渍是质量问题
)


def _trie(words: tuple[str, ...]) -> str:
    """An alternation of ``words`` that matches the longest word at a position, like
    ``a|b|…`` sorted longest first, but shaped as a trie (不(?:好意思|客气|…)|没(?:…)|…):
    ``re`` tries one branch per first character instead of every word at every position.
    (Two words that match at one position are prefixes of each other, so they lie on one
    path of the trie, where a longer continuation is tried before a word ends.)"""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def depth(node: dict) -> int:
        return max((1 + depth(node[c])) if c else 0 for c in node)

    def branches(node: dict) -> list[str]:
        keys = sorted((c for c in node if c), key=lambda c: (-depth(node[c]), c))
        return [re.escape(c) + rest(node[c]) for c in keys]

    def rest(node: dict) -> str:
        alts = branches(node)
        if not alts:
            return ""
        if "" in node:
            return "(?:" + "|".join(alts) + ")?"
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return "|".join(branches(trie))


_MASK_RE = re.compile("|".join([*NOT_NEGATION_PATTERNS, _trie(NOT_NEGATIONS)]))
#: a conjunction starts a new scope: 虽然不是质量问题但可以补偿 — 不是 does not reach 可以补偿
_SCOPE_BREAK = re.compile(
    "但是|但|而且|所以|因此|另外|同时|并且|如果|要是|万一|假如|假设|只要|只是|就是|的话|因为|"
    "然后|而是|那就|那么|也|还是|[又还](?=[不没别无])|"
    "(?<=[^不没])就(?=[给帮为直马可能会需要退换补安发寄])"
)
#: a negation *after* the match that ends its clause: 好评就不用给了, 全网第一不敢说,
#: 这个价格是不行的.  Only clause-final forms count (a filler, the negator, at most one of a
#: few verbs, particles), so 开发票不收费 does not negate 开发票.
_POST_NEGATION = re.compile(
    r"(?:[就也都是还倒可能恐怕真的这个那个我们这边暂时实在]{0,6})"
    r"(?:不用|不需要|不必|不要|不行|不可以|不能|不了|不敢|没法|无法|没有|不会|不支持|不提供|"
    r"不给|办不到|做不到|说不上|谈不上|算不上|称不上|不开|不退|不发|不寄|不补|不换|不送|不赔|"
    r"不收|不加|不扣|不方便)"
    r"(?:说|讲|给|做|保证|承诺|答应|确定)?[了的哦呢啊哈呀啦吧嘛噢喔亲\x00\x01]*"
)


MASK_CHARS = ("\x00", "\x01")


#: every masked phrase contains one of these (tests/test_grading_negation.py checks it with
#: the prefilter's analysis of each pattern): a text without any has nothing to mask
MASK_NEEDS = "不没无非别未莫并"
_MASK_NEEDS_RE = re.compile(f"[{MASK_NEEDS}]")


def mask_non_negations(text: str) -> str:
    """Replace phrases that only look negative with placeholders of the same length."""
    if not _MASK_NEEDS_RE.search(text):
        return text
    # consecutive phrases get different placeholders (\x00, \x01, \x00 …), so a match can
    # tell "inside one phrase" from "at the start of the next one" (非常对不起)
    flip = [1]

    def sub(m: re.Match[str]) -> str:
        flip[0] ^= 1
        return MASK_CHARS[flip[0]] * len(m.group())

    return _MASK_RE.sub(sub, text)


def is_negated(
    masked: str,
    start: int,
    end: int,
    *,
    include_match: bool = True,
    breaks: list[int] | None = None,
) -> bool:
    """Whether the match ``[start, end)`` of the (masked) normalised text is negated.

    ``include_match=False`` counts only the window before the match: used for patterns that
    spell a negation out themselves (``发票.{0,6}开不了``), whose own 不 is what they mean.
    A clause-final negation right after the match (:data:`_POST_NEGATION`) counts too.
    ``breaks``: :func:`~trainer.grading.normalize.break_positions` of ``masked`` when the
    caller has them (several matches in one text), to find clause ends without a scan."""
    if breaks is None:
        first = clause_start(masked, start)
    else:
        k = bisect_left(breaks, start)
        first = breaks[k - 1] + 1 if k else 0
    lo = max(first, start - WINDOW)
    stop = end if include_match else start
    if _NEGATOR_START.search(masked, lo, stop) is None:
        count = 0  # (the usual case: nothing in the window to count)
    else:
        # (one character of look-ahead past ``start`` for breaks such as 就 that peek at the
        # verb)
        for m in _SCOPE_BREAK.finditer(masked, lo, start + 1):
            if m.end() <= start:
                lo = m.end()
        count = len(NEGATOR_RE.findall(masked, lo, stop))
    if include_match and _negated_after(masked, end, breaks):
        count += 1
    return count % 2 == 1


def _negated_after(masked: str, end: int, breaks: list[int] | None = None) -> bool:
    if breaks is None:
        stop = end
        while stop < len(masked) and not is_break(masked, stop):
            stop += 1
    else:
        k = bisect_left(breaks, end)
        stop = breaks[k] if k < len(breaks) else len(masked)
    return end < stop and _POST_NEGATION.fullmatch(masked, end, stop) is not None


def spells_negation(pattern: str) -> bool:
    """Whether a rubric pattern contains a negator of its own (look-arounds, which match
    nothing, do not count: ``邮费(?!.{0,4}哪能)`` does not spell a negation)."""
    return NEGATOR_RE.search(mask_non_negations(strip_lookarounds(pattern))) is not None


def strip_lookarounds(pattern: str) -> str:
    """``pattern`` without its ``(?=…)``, ``(?!…)``, ``(?<=…)`` and ``(?<!…)`` groups."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        if pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            depth, j, in_class = 0, i, False
            while j < n:
                ch = pattern[j]
                if ch == "\\":
                    j += 2
                    continue
                if in_class:
                    in_class = ch != "]"
                elif ch == "[":
                    in_class = True
                elif ch == "(":
                    depth += 1
                elif ch == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            i = j + 1
            continue
        if pattern[i] == "\\" and i + 1 < n:
            out.append(pattern[i : i + 2])
            i += 2
            continue
        out.append(pattern[i])
        i += 1
    return "".join(out)


def top_level_alternatives(pattern: str) -> list[str]:
    """Split ``a|b|c`` at the top level (outside groups and classes), so that each branch can
    be judged on its own: a negator written in one branch must not switch negation handling
    off for the others."""
    parts, depth, in_class, escaped, cur = [], 0, False, False, []
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    parts.append("".join(cur))
    return [p for p in parts if p]
