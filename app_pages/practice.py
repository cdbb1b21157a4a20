"""练习: rounds of up to 10 questions of a module or lesson, instant feedback, every answer
stored.  An unfinished round resumes where it stopped (after a refresh, a new login or a
server restart)."""

import secrets

import streamlit as st

from trainer.learning import ROUND_SIZE, practice_pool, practice_round
from trainer.records import store
from trainer.records.db import reading, transaction
from trainer.ui.progress import learner
from trainer.ui.quiz import (
    ask,
    close_round,
    forget,
    is_answered,
    mark_answered,
    move_on,
    open_round,
)
from trainer.ui.state import get_catalog, get_engine, now, require_user

user = require_user()
catalog = get_catalog()
engine = get_engine()
st.title("练习")


def scope_of(ref: str) -> tuple[str, str]:
    """(module id, lesson id or "") of a round's ref ``module`` or ``module:lesson``."""
    mid, _, lid = ref.partition(":")
    return mid, lid


def end_round(rnd: dict) -> None:
    """Close a round (answered or not): its answers stay, its score is what was answered."""
    with reading(engine) as s:
        rows = store.attempt_responses(session=s, attempt_id=rnd["id"])
    right = sum(r.passed for r in rows)
    with transaction(engine) as s:
        store.finish_attempt(
            session=s,
            attempt_id=rnd["id"],
            now=now(),
            score=right / max(1, len(rows)),
            passed=None,
        )
    forget("practice")
    close_round("practice")
    st.session_state.pop("practice_current", None)
    st.session_state["practice_summary"] = f"本轮练习完成：答对 {right}/{len(rows)} 题。" + (
        "做错的题已放进错题本和复训。" if right < len(rows) else "全部答对，继续保持！"
    )


module_ids = list(catalog.modules)
pre_module = st.session_state.pop("practice_module", None)
pre_lesson = st.session_state.pop("practice_lesson", None)
if pre_lesson in catalog.lesson_module:
    pre_module = catalog.lesson_module[pre_lesson]
    st.session_state["practice_lesson_pick"] = pre_lesson
if pre_module in module_ids:
    st.session_state["practice_mod"] = pre_module

# an unfinished round (of any scope) comes first: a refresh or a new login resumes it
rnd = open_round("practice", user, kind="practice", ref=None)
if rnd is not None and pre_module is not None:
    wanted = f"{pre_module}:{pre_lesson}" if pre_lesson in catalog.lesson_module else pre_module
    if wanted != rnd["ref"]:  # asked for another scope (课程页「练习这一课」): end the old round
        end_round(rnd)
        st.session_state.pop("practice_summary", None)
        rnd = None

if rnd is None:
    c1, c2 = st.columns(2)
    mid = c1.selectbox(
        "模块",
        module_ids,
        format_func=lambda m: f"{catalog.modules[m].order}. {catalog.modules[m].title}",
        key="practice_mod",
    )
    lesson_ids = ["", *(les.id for les in catalog.module_lessons(mid))]
    if st.session_state.get("practice_lesson_pick") not in lesson_ids:
        st.session_state["practice_lesson_pick"] = ""
    lid = c2.selectbox(
        "范围",
        lesson_ids,
        format_func=lambda x: catalog.lessons[x].title if x else "本模块全部课程",
        key="practice_lesson_pick",
    )
    ref = f"{mid}:{lid}" if lid else mid
else:
    ref = rnd["ref"]
    mid, lid = scope_of(ref)
    if mid not in catalog.modules:  # content changed under an old round
        end_round(rnd)
        st.rerun()

if rnd is None:
    summary = st.session_state.pop("practice_summary", None)
    if summary:
        st.success(summary)
    pool = practice_pool(catalog, mid, user.platform, lid or None)
    me = learner(catalog, user)
    done = sum(1 for q in pool if me.latest.get(q, (False, 0))[0])
    wrong = sum(1 for q in pool if q in me.latest and not me.latest[q][0])
    step = next((s for s in (me.path.steps if me.path else ()) if s.module_id == mid), None)
    m1, m2, m3 = st.columns(3)
    m1.metric("题库", f"{len(pool)} 题")
    m2.metric("已掌握", f"{done} 题", help="最近一次作答正确的题目")
    m3.metric("待订正", f"{wrong} 题", help="最近一次作答错误的题目，会优先出现")
    if step is not None and not lid:
        st.progress(
            min(1.0, done / max(1, len(pool))),
            text=f"本模块掌握度 {done / max(1, len(pool)):.0%}（入职路径达标线 "
            f"{step.needed_ratio:.0%}）",
        )
    if not pool:
        st.info("这个范围里没有适合你店铺平台的练习题。")
        st.stop()
    st.write(
        f"每轮最多 {ROUND_SIZE} 题：先出没做过的，再出上次做错的。"
        "做完一题立刻看到对错、依据的规则和解析。"
    )
    if st.button("开始一轮练习", type="primary", key="practice_start"):
        latest = {q: (p, rid) for q, (p, rid) in me.latest.items()}
        chosen = practice_round(pool, latest, seed=secrets.randbelow(2**31))
        with transaction(engine) as s:
            store.start_attempt(
                session=s,
                user_id=user.id,
                kind="practice",
                ref=ref,
                now=now(),
                question_ids=chosen,
            )
        st.rerun()
    st.stop()

att_id = rnd["id"]
answered = rnd["answered"]
questions = [q for q in rnd["question_ids"] if q in catalog.questions]
todo = [q for q in questions if q not in answered]
current = st.session_state.get("practice_current")
if current not in questions or not is_answered("practice", current, att_id):
    current = todo[0] if todo else None  # resume at the first unanswered question
scope = catalog.modules[mid].title + (
    f" · {catalog.lessons[lid].title}" if lid in catalog.lessons else ""
)
st.progress(
    len(answered) / max(1, len(questions)),
    text=f"{scope} · 本轮已完成 {len(answered)}/{len(questions)}",
)
if current is None:
    end_round(rnd)
    st.rerun()
st.session_state["practice_current"] = current
q = catalog.questions[current]
stored = ask(
    catalog,
    user,
    q,
    prefix="practice",
    kind="practice",
    attempt_id=att_id,
    index=f"第 {questions.index(current) + 1}/{len(questions)} 题 · ",
)
if stored:
    mark_answered("practice", current)
if stored and st.button(
    "下一题 →" if [x for x in todo if x != current] else "查看本轮结果",
    key="practice_next",
    type="primary",
):
    move_on("practice", current, att_id)
    del st.session_state["practice_current"]
    st.rerun()
if st.button("结束本轮", key="practice_quit", help="已答的题都已保存；没答的题下次再练"):
    end_round(rnd)
    st.rerun()
