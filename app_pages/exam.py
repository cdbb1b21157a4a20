"""考试: the certification exam from its blueprint.  The time limit is kept on the server
(the attempt's deadline), every answer is saved when submitted, nothing is graded on screen
until the paper is handed in; then results per module and the certificate."""

import datetime as dt
import secrets

import streamlit as st

from trainer.grading import Grade
from trainer.learning import ExamPaper, assemble_exam, path_for
from trainer.records import store
from trainer.records.db import reading, transaction
from trainer.records.submit import hand_in_exam
from trainer.ui.progress import learner
from trainer.ui.quiz import ask, forget, is_answered, move_on
from trainer.ui.state import fmt_time, get_catalog, get_engine, now, require_user

user = require_user()
catalog = get_catalog()
engine = get_engine()
st.title("上岗认证考试")
path = path_for(catalog, user.platform)
if path is None or path.exam not in catalog.exams:
    st.info("还没有配置认证考试，请联系培训负责人。")
    st.stop()
exam = catalog.exams[path.exam]


def hand_in(att) -> None:
    """Score the paper from the stored answers, close the attempt, certify on a pass."""
    done = hand_in_exam(engine, catalog, user_id=user.id, attempt_id=att.id, now=now())
    st.session_state["exam_result"] = {
        "attempt_id": att.id,
        "question_ids": list(done.question_ids),
        **done.result.to_dict(),
    }
    forget("exam")
    st.session_state.pop("exam_current", None)


with reading(engine) as s:
    att = store.get_open_attempt(session=s, user_id=user.id, kind="exam", ref=exam.id)
if att is not None and att.deadline_at and now() > att.deadline_at:
    hand_in(att)
    st.session_state["exam_timeout"] = True
    att = None

# ---------------------------------------------------------------- not in an exam
if att is None:
    if st.session_state.pop("exam_timeout", False):
        st.warning("考试时间已到，系统已按你已提交的答案自动交卷。")
    res = st.session_state.get("exam_result")
    if res:
        (st.success if res["passed"] else st.error)(
            f"考试{'通过' if res['passed'] else '未通过'}：得分率 {res['ratio']:.0%}"
            f"（及格线 {exam.pass_ratio:.0%}），作答 {res['answered']}/{res['total']} 题"
        )
        st.dataframe(
            [
                {
                    "模块": catalog.modules[m["module_id"]].title,
                    "题数": m["questions"],
                    "得分率": f"{m['ratio']:.0%}",
                }
                for m in res["modules"]
            ],
            hide_index=True,
        )
        with st.expander("逐题查看对错和解析"):
            with reading(engine) as s:
                rows = store.attempt_responses(session=s, attempt_id=res["attempt_id"])
            by_q = {r.question_id: r for r in rows}
            for i, qid in enumerate(res.get("question_ids", []) or list(by_q), 1):
                q = catalog.questions.get(qid)
                r = by_q.get(qid)
                if q is None:
                    continue
                mark = "未作答" if r is None else ("✅ 正确" if r.passed else "❌ 错误")
                st.markdown(f"**第 {i} 题 · {mark}**")
                st.text(q.prompt if q.type not in ("reply", "dialog") else q.buyer)
                if r is not None:
                    st.caption(Grade.from_dict(r.grade).feedback.splitlines()[0])
                st.caption("解析：" + q.explanation)
    with reading(engine) as s:
        cert = store.latest_certification(session=s, user_id=user.id, exam_id=exam.id)
    if cert:
        with st.container(border=True):
            st.subheader("🎓 上岗认证证书")
            st.text(f"学员：{user.display_name}（{user.username}）")
            st.text(f"考试：{exam.title}　得分率：{cert.ratio:.0%}")
            st.text(f"发证：{fmt_time(cert.issued_at)}　有效期至：{fmt_time(cert.expires_at)}")
            st.caption(f"覆盖 {len(cert.rule_versions)} 节课程的当前规则版本。规则更新后需复训。")
    me = learner(catalog, user)
    ready = me.path is not None and all(step.status == "已完成" for step in me.path.steps)
    n = sum(b.count for b in exam.blueprint)
    st.write(
        f"共 {n} 题，限时 {exam.time_limit_minutes} 分钟，得分率达到 {exam.pass_ratio:.0%} "
        f"即通过，证书有效期 {exam.valid_days} 天。考试中不显示对错，交卷后统一出成绩；"
        "中途关闭页面不影响已提交的答案，但计时不会暂停。"
    )
    if not ready and cert is None:
        st.info(
            "先完成入职培训路径上每个模块的课程和练习（到「我的学习」查看进度），再参加认证考试。"
        )
    label = "再考一次（不影响已有证书）" if cert is not None else "开始考试"
    if st.button(label, type="primary", key="exam_start", disabled=not ready and cert is None):
        seed = secrets.randbelow(2**31)
        paper = assemble_exam(catalog, exam.id, seed=seed, platform=user.platform)
        with transaction(engine) as s:
            store.start_attempt(
                session=s,
                user_id=user.id,
                kind="exam",
                ref=exam.id,
                now=now(),
                question_ids=paper.question_ids,
                paper=paper.to_dict(),
                seed=seed,
                time_limit=dt.timedelta(minutes=exam.time_limit_minutes),
            )
        st.session_state.pop("exam_result", None)
        st.rerun()
    st.stop()

# ---------------------------------------------------------------- in the exam
paper = ExamPaper.from_dict(att.paper)
questions = [q for q in paper.question_ids if q in catalog.questions]
with reading(engine) as s:
    answered = {r.question_id for r in store.attempt_responses(session=s, attempt_id=att.id)}


@st.fragment(run_every=30)
def clock() -> None:
    left = att.deadline_at - now()
    if left.total_seconds() <= 0:
        st.rerun()  # the whole page: it hands the paper in
    minutes = int(left.total_seconds() // 60)
    st.info(
        f"剩余时间约 {minutes} 分钟（{fmt_time(att.deadline_at)} 截止）"
        f" · 已答 {len(answered)}/{len(questions)} 题",
        icon=":material/timer:",
    )


clock()
todo = [q for q in questions if q not in answered]
current = st.session_state.get("exam_current")
if current not in questions or not is_answered("exam", current, att.id):
    current = todo[0] if todo else None
if current is not None:
    st.session_state["exam_current"] = current
    q = catalog.questions[current]
    saved = ask(
        catalog,
        user,
        q,
        prefix="exam",
        kind="exam",
        attempt_id=att.id,
        presentation=paper.presentation.get(current),
        show_feedback=False,
        index=f"第 {questions.index(current) + 1}/{len(questions)} 题 · ",
    )
    if saved and todo and st.button("下一题 →", key="exam_next", type="primary"):
        move_on("exam", current, att.id)
        st.session_state.pop("exam_current", None)
        st.rerun()
else:
    st.success("全部题目已作答，可以交卷了。")
st.divider()
left_n = len(todo) - (1 if current in todo and is_answered("exam", current, att.id) else 0)
confirm = (
    st.checkbox(f"还有 {left_n} 题没答，确定现在交卷（未答的题记 0 分）", key="exam_confirm")
    if left_n > 0
    else True
)
if st.button(
    "交卷", key="exam_submit", type="primary" if not left_n else "secondary", disabled=not confirm
):
    hand_in(att)
    st.rerun()
