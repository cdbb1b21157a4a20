"""One widget per question type, the feedback panel, reply highlighting and chat bubbles.

Safety: trainee text (replies, names) is never rendered as Markdown or raw HTML.  Highlights
and chat bubbles are built with ``html.escape`` on every piece of user text and drawn with
``st.html`` (no Markdown processing).
"""

from __future__ import annotations

import html
from typing import Any

import streamlit as st

from trainer.catalog import QUESTION_TYPES, Catalog
from trainer.grading import Grade

MD_SPECIAL = "\\`*_{}[]()#+-.!|<>~"


def md_escape(text: str) -> str:
    """Escape Markdown so our own strings that quote user input stay literal."""
    return "".join("\\" + ch if ch in MD_SPECIAL else ch for ch in str(text))


CSS = """
<style>
.kf-reply{white-space:pre-wrap;word-break:break-all;line-height:1.9;font-size:1rem;
  padding:.6rem .8rem;border:1px solid #e5e7eb;border-radius:.5rem;background:#fafafa}
.kf-hit{background:#d1fae5;border-bottom:2px solid #059669;padding:0 1px}
.kf-taboo{background:#ffedd5;border-bottom:2px solid #ea580c;padding:0 1px}
.kf-viol{background:#fee2e2;border-bottom:2px solid #dc2626;padding:0 1px}
.kf-legend span{margin-right:.8rem;font-size:.85rem}
.kf-chat{display:flex;flex-direction:column;gap:.5rem;padding:.5rem 0}
.kf-row{display:flex}
.kf-row.buyer{justify-content:flex-start}
.kf-row.agent{justify-content:flex-end}
.kf-row>div{max-width:80%;width:fit-content}
.kf-bubble{padding:.5rem .75rem;border-radius:.75rem;white-space:pre-wrap;
  overflow-wrap:break-word;line-height:1.6}
.kf-row.buyer .kf-bubble{background:#f3f4f6;border-top-left-radius:.2rem}
.kf-row.agent .kf-bubble{background:#dbeafe;border-top-right-radius:.2rem}
.kf-note{font-size:.75rem;margin:.15rem .3rem;color:#6b7280;text-align:right}
.kf-note.ok{color:#047857}.kf-note.bad{color:#b91c1c}.kf-note.warn{color:#b45309}
.kf-who{font-size:.75rem;color:#6b7280;margin:0 .3rem}
</style>
"""


def highlight_html(text: str, grade: Grade) -> str:
    """The reply with matched (green), forbidden (orange) and violation (red) spans."""
    marks: list[tuple[int, int, str]] = []
    for c in grade.criteria:
        cls = {"concept": "kf-hit", "structure": "kf-hit", "forbidden": "kf-taboo"}.get(c.kind)
        if cls and c.met:
            marks += [(s.start, s.end, cls) for s in c.spans]
    for v in grade.violations:
        marks += [(s.start, s.end, "kf-viol") for s in v.spans]
    rank = {"kf-viol": 3, "kf-taboo": 2, "kf-hit": 1}
    owner = [""] * len(text)
    for start, end, cls in marks:
        for i in range(max(0, start), min(len(text), end)):
            if rank[cls] > rank.get(owner[i], 0):
                owner[i] = cls
    out, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and owner[j] == owner[i]:
            j += 1
        piece = html.escape(text[i:j])
        out.append(f'<span class="{owner[i]}">{piece}</span>' if owner[i] else piece)
        i = j
    legend = (
        '<div class="kf-legend"><span class="kf-hit">答到的要点</span>'
        '<span class="kf-taboo">禁忌用语</span><span class="kf-viol">违规说法</span></div>'
    )
    return f'{CSS}<div class="kf-reply">{"".join(out) or "（空）"}</div>{legend}'


def chat_html(turns: list[tuple]) -> str:
    """Chat bubbles in order, buyer left, agent right: ``(who, text)`` or ``(who, text, note,
    tone)`` where ``note`` is a small line under the bubble and ``tone`` ok / bad / warn."""
    rows = []
    for who, text, *rest in turns:
        label = "买家" if who == "buyer" else "我（客服）"
        note = ""
        if rest and rest[0]:
            tone = rest[1] if len(rest) > 1 else ""
            note = f'<div class="kf-note {html.escape(tone)}">{html.escape(rest[0])}</div>'
        rows.append(
            f'<div class="kf-row {who}"><div><div class="kf-who">{label}</div>'
            f'<div class="kf-bubble">{html.escape(text)}</div>{note}</div></div>'
        )
    return f'{CSS}<div class="kf-chat">{"".join(rows)}</div>'


def _labels(q: Any, presentation: tuple[str, ...] | None) -> list[str]:
    keys = list(presentation) if presentation else list(q.options)
    return keys


def answer_widgets(q: Any, key: str, presentation: tuple[str, ...] | None = None) -> Any:
    """Draw the answer widgets of ``q`` (call inside a form); return the raw response."""
    t = q.type
    if t == "single":
        keys = _labels(q, presentation)
        choice = st.radio(
            "选择一个答案",
            keys,
            index=None,
            key=f"{key}_single",
            format_func=lambda k: f"{k}. {q.options[k]}",
        )
        return choice
    if t == "multiple":
        st.caption("多选题：选出所有正确的选项")
        return [
            k
            for k in _labels(q, presentation)
            if st.checkbox(f"{k}. {q.options[k]}", key=f"{key}_m_{k}")
        ]
    if t == "true_false":
        v = st.radio("判断这句话", ["对", "错"], index=None, key=f"{key}_tf", horizontal=True)
        return None if v is None else v == "对"
    if t == "numeric":
        v = st.number_input(
            f"填写数值（单位：{q.unit}）", value=None, step=1.0, format="%g", key=f"{key}_num"
        )
        return v
    if t == "ordering":
        steps = list(presentation) if presentation else sorted(q.steps)
        st.caption("按正确的先后顺序依次点选全部步骤")
        return st.multiselect("步骤顺序", steps, key=f"{key}_order", placeholder="依次选择…")
    if t == "matching":
        rights = list(presentation) if presentation else sorted(p.right for p in q.pairs)
        out = {}
        for i, pair in enumerate(q.pairs):
            out[pair.left] = st.selectbox(
                pair.left, rights, index=None, key=f"{key}_match_{i}", placeholder="选择对应项"
            )
        return out
    if t == "reply":
        return st.text_area(
            "你的回复",
            key=f"{key}_reply",
            height=140,
            placeholder="像在千牛/咚咚里一样，直接写发给买家的话",
        )
    raise ValueError(t)


def is_blank(q: Any, response: Any) -> bool:
    if response is None:
        return True
    if q.type == "multiple" or q.type == "ordering":
        return len(response) == 0
    if q.type == "matching":
        return all(v is None for v in response.values())
    if q.type == "reply":
        return not str(response).strip()
    return False


def clean_response(q: Any, response: Any) -> Any:
    """JSON-ready response in the form the grader takes."""
    if q.type == "matching":
        return {k: v for k, v in response.items() if v is not None}
    if q.type == "numeric":
        return float(response)
    return response


def question_title(q: Any, limit: int = 40) -> str:
    """A short title for lists: the buyer's message for replies and dialogs, else the prompt."""
    if q.type == "reply":
        text = q.buyer
    elif q.type == "dialog":
        text = q.turns[0].buyer
    else:
        text = q.prompt
    return text if len(text) <= limit else text[: limit - 1] + "…"


def question_header(q: Any, catalog: Catalog, index: str = "") -> None:
    lessons = "、".join(catalog.lessons[lid].title for lid in q.lessons)
    head = md_escape(f"{index}{QUESTION_TYPES[q.type]} · 课程：{lessons}")
    if q.type in ("reply", "dialog") and q.scenario:
        st.caption(head)
        st.info(f"情景：{q.scenario}")
        st.markdown(f"**{md_escape(q.prompt)}**")
    else:  # one element: the question is redrawn on every answer
        st.markdown(f":gray[{head}]  \n**{md_escape(q.prompt)}**")


def lesson_links(q: Any, catalog: Catalog, key: str) -> None:
    """Buttons that open the lessons behind ``q`` in the lesson reader (side by side when
    there are several)."""
    lids = [lid for lid in q.lessons if lid in catalog.lessons]
    if not lids:
        return
    cols = st.columns(min(3, len(lids))) if len(lids) > 1 else [st]
    for i, lid in enumerate(lids):
        if cols[i % len(cols)].button(
            f"复习《{catalog.lessons[lid].title}》",
            key=f"{key}_lesson_{lid}",
            icon=":material/menu_book:",
        ):
            st.session_state["lessons_pick"] = lid
            st.switch_page("app_pages/lessons.py")


def _status(grade: Grade) -> None:
    score = f"{grade.score:g}/{grade.max_score:g} 分"
    if grade.violations:
        st.error(f"不通过：触犯平台规则（{score}）", icon=":material/gpp_bad:")
    elif grade.passed:
        st.success(f"通过：{score}", icon=":material/check_circle:")
    else:
        st.warning(f"未通过：{score}", icon=":material/cancel:")


def reply_scorecard(grade: Grade, reply_text: str) -> None:
    """A graded reply: violations with the shop's penalty, the reply with matched, forbidden
    and rule-breaking phrases highlighted, and the score of every criterion."""
    for v in grade.violations:
        st.error(
            f"违规：{v.label}\n\n依据：{v.rule}\n\n店铺后果：{v.penalty}",
            icon=":material/block:",
        )
    st.html(highlight_html(reply_text, grade))
    rows = []
    for c in grade.criteria:
        if c.kind not in ("concept", "structure", "forbidden", "length"):
            continue
        if c.kind == "forbidden":
            mark, pts = "⚠️ 禁忌用语", f"{c.points:+g}"
        elif c.kind == "length":
            mark, pts = "❌ 长度", "—"
        else:
            mark = "✅ 做到" if c.met else "❌ 缺少"
            pts = f"{c.points:g}/{c.max_points:g}"
        rows.append({"结果": mark, "评分项": c.label, "得分": pts, "说明": c.message})
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch")


def feedback_panel(
    grade: Grade,
    q: Any,
    catalog: Catalog,
    reply_text: str | None = None,
    *,
    key: str = "fb",
) -> None:
    """Right/wrong, score, why (the rule), violations with penalty, lessons to revisit."""
    _status(grade)
    if reply_text is not None:
        reply_scorecard(grade, reply_text)
        model = getattr(q, "model_answer", None)
        if model:
            st.markdown("**参考回复**")
            st.html(chat_html([("agent", model)]))
        st.caption("依据：" + q.explanation)
    else:
        lines = [
            md_escape(line)
            for line in grade.feedback.splitlines()
            if not line.startswith("建议复习：")
        ]
        st.info("\n\n".join(lines), icon=":material/lightbulb:")
    if not grade.passed:
        lesson_links(q, catalog, key)
