"""考试: the certification exam from its blueprint; the time limit is kept on the server, no
feedback until it is handed in; results per module and the certificate."""

import datetime as dt
import secrets

import streamlit as st

from trainer.learning import ExamPaper, assemble_exam, certify, score_exam
from trainer.records import store
from trainer.records.db import reading, transaction
from trainer.ui.quiz import ask, forget
from trainer.ui.state import fmt_time, get_catalog, get_engine, now, require_user

user = require_user()
catalog = get_catalog()
engine = get_engine()
st.title("上岗认证考试")
if not catalog.paths:
    st.info("还没有配置考试。")
    st.stop()
exam = catalog.exams[catalog.paths["onboarding"].exam]


def finish(att) -> None:
    paper = ExamPaper.from_dict(att.paper)
    with transaction(engine) as s:
        rows = store.attempt_responses(session=s, attempt_id=att.id)
        ratios = {r.question_id: (r.score / r.max_score if r.max_score else 0) for r in rows}
        result = score_exam(catalog, paper, ratios)
        store.finish_attempt(
            session=s, attempt_id=att.id, now=now(), score=result.ratio, passed=result.passed
        )
        cert = certify(catalog, result, now())
        if cert:
            store.issue_certification(
                session=s,
                user_id=user.id,
                exam_id=exam.id,
                ratio=cert.ratio,
                issued_at=cert.issued_at,
                expires_at=cert.expires_at,
                rule_versions=cert.rule_versions,
                attempt_id=att.id,
            )
    st.session_state["exam_result"] = result.to_dict()
    forget("exam_q")


with reading(engine) as s:
    att = store.get_open_attempt(session=s, user_id=user.id, kind="exam", ref=exam.id)
if att is not None and att.deadline_at and now() > att.deadline_at:
    finish(att)
    st.warning("考试时间已到，系统已按已提交的答案自动交卷。")
    att = None

if att is None:
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
    with reading(engine) as s:
        cert = store.latest_certification(session=s, user_id=user.id, exam_id=exam.id)
    if cert:
        with st.container(border=True):
            st.subheader("🎓 上岗认证证书")
            st.text(f"学员：{user.display_name}（{user.username}）")
            st.text(f"考试：{exam.title}　得分率：{cert.ratio:.0%}")
            st.text(f"发证：{fmt_time(cert.issued_at)}　有效期至：{fmt_time(cert.expires_at)}")
            st.caption(f"覆盖规则版本：{len(cert.rule_versions)} 节课程")
    n = sum(b.count for b in exam.blueprint)
    st.write(
        f"共 {n} 题，限时 {exam.time_limit_minutes} 分钟，得分率达到 {exam.pass_ratio:.0%} "
        "即通过。考试中不显示对错，交卷后统一出成绩。"
    )
    if st.button("开始考试", type="primary", key="exam_start"):
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

paper = ExamPaper.from_dict(att.paper)
with reading(engine) as s:
    answered = {r.question_id for r in store.attempt_responses(session=s, attempt_id=att.id)}
left = att.deadline_at - now()
st.info(
    f"剩余时间约 {max(0, int(left.total_seconds() // 60))} 分钟（截止 {fmt_time(att.deadline_at)}）"
    f" · 已答 {len(answered)}/{len(paper.question_ids)}"
)
todo = [q for q in paper.question_ids if q not in answered]
current = st.session_state.get("exam_current")
if current is None or f"exam_q_done_{current}_{att.id}" not in st.session_state:
    current = todo[0] if todo else None
if current is not None:
    st.session_state["exam_current"] = current
    q = catalog.questions[current]
    saved = ask(
        catalog,
        user,
        q,
        prefix="exam_q",
        kind="exam",
        attempt_id=att.id,
        presentation=paper.presentation.get(current),
        show_feedback=False,
        index=f"第 {paper.question_ids.index(current) + 1} 题 · ",
    )
    if saved and st.button("下一题 →", key="exam_next", type="primary"):
        del st.session_state[f"exam_q_done_{current}_{att.id}"]
        del st.session_state["exam_current"]
        st.rerun()
else:
    st.success("全部题目已作答，可以交卷了。")
if st.button("交卷", key="exam_submit", type="secondary" if todo else "primary"):
    finish(att)
    st.session_state.pop("exam_current", None)
    st.rerun()
