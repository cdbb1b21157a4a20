"""错题本: every question whose latest answer was wrong (a manager's override counts), grouped
by module, with the last answer and a retry; answered right, it leaves the book."""

import streamlit as st

from trainer.catalog import QUESTION_TYPES
from trainer.records import store
from trainer.records.db import reading
from trainer.ui.quiz import ask
from trainer.ui.state import fmt_time, get_catalog, get_engine, require_user
from trainer.ui.widgets import question_title

user = require_user()
catalog = get_catalog()
st.title("错题本")
with reading(get_engine()) as s:
    wrong = [
        {
            "id": r.id,
            "question_id": r.question_id,
            "created_at": r.created_at,
            "score": r.score,
            "max_score": r.max_score,
            "response": r.response,
            "violation_ids": list(r.violation_ids or []),
        }
        for r in store.wrong_answers(session=s, user_id=user.id)
        if r.question_id in catalog.questions
    ]
# a question being retried stays on screen (with its feedback) until the trainee leaves
keep = st.session_state.setdefault("mistakes_keep", {})
for row in wrong:
    if st.session_state.get(f"mistakes_retry_{row['id']}"):
        keep[row["id"]] = row
shown = {row["id"] for row in wrong}
wrong += [row for rid, row in keep.items() if rid not in shown]
if not wrong:
    st.success("错题本是空的：每道题最近一次都答对了。")
    st.stop()
st.write(f"共 {len(wrong)} 道题最近一次没有答对。点「重做」再答一遍，答对了就会移出错题本。")
by_module: dict[str, list] = {}
for r in wrong:
    by_module.setdefault(catalog.question_module(r["question_id"]), []).append(r)
for mid in catalog.modules:
    rows = by_module.get(mid)
    if not rows:
        continue
    st.subheader(f"{catalog.modules[mid].title}（{len(rows)}）")
    for r in rows:
        q = catalog.questions[r["question_id"]]
        label = (
            f"{QUESTION_TYPES[q.type]} · {question_title(q)}"
            f"（{fmt_time(r['created_at'])} · {r['score']:g}/{r['max_score']:g} 分）"
        )
        retry_key = f"mistakes_retry_{r['id']}"
        with st.expander(label, expanded=bool(st.session_state.get(retry_key))):
            if st.session_state.get(retry_key):
                ask(catalog, user, q, prefix="mistakes", kind="practice", round_no=r["id"])
            else:
                st.caption("上次的作答：")
                resp = r["response"]
                st.text(resp if isinstance(resp, str) else str(resp))
                if r["violation_ids"]:
                    st.caption("触犯规则：" + "、".join(r["violation_ids"]))
                if st.button("重做", key=f"mistakes_btn_{r['id']}", icon=":material/refresh:"):
                    st.session_state[retry_key] = True
                    st.rerun()
