"""AppTest tests of the frame and the trainee pages: a smoke test of every page for every
role, and focused tests that drive the widgets and check what is shown and what is stored."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.app_env import TRAINEE_PAGES, click, make_env, open_app, texts
from trainer.records import store
from trainer.records.db import reading, transaction
from trainer.records.models import Attempt, Certification, LessonProgress, Response, User
from trainer.records.submit import submit_answer


@pytest.fixture
def env(tmp_path, monkeypatch):
    e = make_env(tmp_path, monkeypatch)
    yield e
    e.engine.dispose()


def count(env, model, **where) -> int:
    with reading(env.engine) as s:
        q = select(func.count()).select_from(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return s.scalar(q)


# ---------------------------------------------------------------- frame and roles


@pytest.mark.parametrize("page", TRAINEE_PAGES)
@pytest.mark.parametrize("role", ["trainee", "manager", "admin"])
def test_every_trainee_page_opens_for_every_role(env, page, role) -> None:
    user = {"trainee": env.trainee, "manager": env.manager, "admin": env.admin}[role]
    at = open_app(user, page)
    assert not at.exception, at.exception
    assert at.title, f"{page} shows no title"


def test_logged_out_visitor_gets_only_the_login_page(env) -> None:
    at = open_app(None)
    assert not at.exception
    assert [t.value for t in at.title] == ["客服训练营"]
    assert [b.label for b in at.form_submit_button] == ["登录"]


def test_trainee_navigation_has_no_manager_pages(env) -> None:
    at = open_app(env.trainee)
    for page in ("manager_board", "manager_agent", "manager_review", "admin"):
        with pytest.raises(Exception):  # noqa: B017 - AppTest raises for an unknown page
            at.switch_page(f"app_pages/{page}.py").run()


# ---------------------------------------------------------------- setup and login


def test_fresh_install_asks_for_the_first_admin(tmp_path, monkeypatch) -> None:
    env = make_env(tmp_path, monkeypatch)
    with transaction(env.engine) as s:
        from trainer.records.models import ManagedTeam

        for model in (ManagedTeam, User):
            for row in s.scalars(select(model)):
                s.delete(row)
            s.flush()
    at = open_app(None)
    assert at.title[0].value == "欢迎使用客服训练营"
    at.text_input(key="setup_username").input("boss")
    at.text_input(key="setup_display").input("王经理")
    at.text_input(key="setup_pw").input("short")
    at.text_input(key="setup_pw2").input("short")
    click(at, "创建管理员并登录")
    assert "密码至少需要 8 位" in texts(at)
    at.text_input(key="setup_pw").input("long-enough-1")
    at.text_input(key="setup_pw2").input("long-enough-1")
    click(at, "创建管理员并登录")
    assert not at.exception
    assert at.session_state["auth_user"].role == "admin"
    assert count(env, User, role="admin") == 1


def test_login_wrong_then_right_password(env) -> None:
    at = open_app(None)
    at.text_input(key="login_username").input("xiaoli")
    at.text_input(key="login_password").input("wrong-password")
    click(at, "登录")
    assert "用户名或密码不对" in texts(at)
    assert "auth_user" not in at.session_state
    at.text_input(key="login_password").input("mima-12345")
    click(at, "登录")
    assert not at.exception
    assert at.session_state["auth_user"].username == "xiaoli"
    assert "你好，李小丽" in texts(at)


def test_login_locks_after_repeated_failures(env) -> None:
    at = open_app(None)
    at.text_input(key="login_username").input("xiaoli")
    for _ in range(5):
        at.text_input(key="login_password").input("wrong-password")
        click(at, "登录")
    at.text_input(key="login_password").input("mima-12345")
    click(at, "登录")
    assert "账号已锁定" in texts(at)
    assert "auth_user" not in at.session_state


def test_login_remembers_the_user_with_a_cookie_token(env) -> None:
    at = open_app(None)
    at.text_input(key="login_username").input("xiaoli")
    at.text_input(key="login_password").input("mima-12345")
    click(at, "登录")
    scripts = [h.proto.body for h in at.get("html") if "document.cookie" in h.proto.body]
    assert scripts and "kf_session=" in scripts[0] and "SameSite=Strict" in scripts[0]


# ---------------------------------------------------------------- home and lessons


def test_home_shows_path_and_next_step(env) -> None:
    at = open_app(env.trainee)
    page = texts(at)
    assert "入职培训进度" in page and "0%" in page
    assert "入门必学" in page
    assert [b.label for b in at.button if b.key == "home_next"] == [
        "学习《发票：付款后必须无偿提供》"
    ]


def test_lesson_reader_and_mark_as_learned(env) -> None:
    at = open_app(env.trainee, "app_pages/lessons.py")
    page = texts(at)
    assert "发票：付款后必须无偿提供" in page
    assert "推荐话术" in page and "禁忌用语" in page and "特价商品不开发票" in page
    click(at, "标记为已学")
    assert not at.exception
    with reading(env.engine) as s:
        rows = s.scalars(select(LessonProgress)).all()
    assert [(r.lesson_id, r.rule_version) for r in rows] == [("b-invoice", 1)]
    assert "已学完这一课" in texts(at)


def test_raised_rule_version_asks_to_relearn(env) -> None:
    with transaction(env.engine) as s:
        store.mark_lesson_learned(
            session=s,
            user_id=env.trainee.id,
            lesson_id="b-invoice",
            rule_version=1,
            now=dt.datetime.now(dt.UTC),
        )
        admin = s.get(User, env.admin.id)
        store.raise_rule_version(
            session=s,
            actor=admin,
            lesson_id="b-invoice",
            version=2,
            note="规则调整",
            now=dt.datetime.now(dt.UTC),
        )
    at = open_app(env.trainee, "app_pages/lessons.py")
    assert "规则已更新到 v2" in texts(at)
    click(at, "我已重新学习")
    with reading(env.engine) as s:
        assert s.get(LessonProgress, (env.trainee.id, "b-invoice")).rule_version == 2


# ---------------------------------------------------------------- practice


def _answer_current(at, env) -> str:
    """Answer the question on screen correctly; returns its id."""
    qid = at.session_state["practice_current"]
    q = env.catalog.questions[qid]
    if q.type == "single":
        at.radio[0].set_value(q.answer)
    elif q.type == "multiple":
        for cb in at.checkbox:
            cb.set_value(cb.label.split(".")[0] in q.answer)
    elif q.type == "true_false":
        at.radio[0].set_value("对" if q.answer else "错")
    elif q.type == "numeric":
        at.number_input[0].set_value(q.answer)
    elif q.type == "reply":
        at.text_area[0].input(q.model_answer)
    click(at, "提交答案")
    return qid


def test_practice_round_gives_feedback_stores_and_resumes(env) -> None:
    at = open_app(env.trainee, "app_pages/practice.py")
    assert "题库" in texts(at)
    click(at, "开始一轮练习")
    first = _answer_current(at, env)
    assert not at.exception
    assert "通过" in texts(at) or "回答正确" in texts(at)
    assert count(env, Response, question_id=first) == 1
    # the same form submitted again (a resend) records nothing more
    click(at, "提交答案") if any(
        not b.disabled for b in at.form_submit_button if b.label == "提交答案"
    ) else None
    assert count(env, Response) == 1
    # a new session (refresh / new login) resumes at the next unanswered question
    again = open_app(env.trainee, "app_pages/practice.py")
    assert "本轮已完成 1/6" in texts(again)
    assert again.session_state["practice_current"] != first


def test_practice_round_summary_and_mastery(env) -> None:
    at = open_app(env.trainee, "app_pages/practice.py")
    click(at, "开始一轮练习")
    for _ in range(6):
        _answer_current(at, env)
        label = next(b.label for b in at.button if b.key == "practice_next")
        click(at, label)
    assert not at.exception
    assert "本轮练习完成：答对 6/6 题" in texts(at)
    home = open_app(env.trainee)
    assert "练习掌握度 100%" in texts(home)


def test_practice_blank_answer_is_refused(env) -> None:
    at = open_app(env.trainee, "app_pages/practice.py")
    click(at, "开始一轮练习")
    click(at, "提交答案")
    assert "还没有作答" in texts(at)
    assert count(env, Response) == 0


# ---------------------------------------------------------------- reply scenarios


def _reply(at, text: str):
    at.text_area[0].input(text)
    return click(at, "提交答案")


def test_reply_with_violation_names_rule_and_penalty(env) -> None:
    at = open_app(env.trainee, "app_pages/reply.py")
    assert "这件是特价买的，能开发票吗？" in texts(at)
    _reply(at, "亲，特价商品的发票开不了哦，稍等")
    page = texts(at)
    assert "不通过：触犯平台规则" in page
    assert "天猫规则·发票" in page and "违规扣6分" in page
    assert 'class="kf-viol"' in page and 'class="kf-taboo"' in page
    assert "参考回复" in page
    with reading(env.engine) as s:
        r = s.scalars(select(Response)).one()
    assert r.violation_ids == ["refuse-invoice"] and not r.passed and r.kind == "reply"


def test_good_reply_passes_and_can_be_rewritten(env) -> None:
    at = open_app(env.trainee, "app_pages/reply.py")
    _reply(at, "亲，您好，特价商品也可以开发票的，麻烦发一下抬头")
    assert "通过：100/100 分" in texts(at)
    click(at, "再写一次")
    _reply(at, "可以开发票的亲")
    assert count(env, Response) == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "还没有作答"),
        ("发" * 10_001, "太长了"),
    ],
)
def test_reply_empty_or_huge_gets_a_clear_message(env, text, message) -> None:
    at = open_app(env.trainee, "app_pages/reply.py")
    _reply(at, text)
    assert not at.exception
    assert message in texts(at)
    assert count(env, Response) == 0


@pytest.mark.parametrize(
    "text",
    [
        "<img src=x onerror=alert(1)> 可以开发票",
        "[点我](javascript:alert(1)) **可以开发票** # 标题",
        "😀😀可以开发票的亲🎉🎉",
        "发票" * 1500,
    ],
)
def test_html_markdown_emoji_and_long_replies_are_graded_and_shown_as_text(env, text) -> None:
    at = open_app(env.trainee, "app_pages/reply.py")
    _reply(at, text)
    assert not at.exception
    page = texts(at)
    assert "分" in page  # a normal grade
    assert "<img src=x" not in "\n".join(h.proto.body for h in at.get("html"))
    assert count(env, Response) == 1


# ---------------------------------------------------------------- dialogs


def test_dialog_branches_records_time_and_ends_with_a_scorecard(env) -> None:
    at = open_app(env.trainee, "app_pages/dialog.py")
    click(at, "开始对话")
    assert "特价买的，给不给开发票？" in texts(at)
    at.text_area[0].input("特价的发票开不了哦")
    click(at, "发送")
    assert "不给开？我截图了，要投诉你们！" in texts(at)  # the buyer escalates
    for reply in ("非常抱歉，发票可以开的", "个人名字可以的，邮费我们承担", "好的，收到马上登记"):
        at.text_area[0].input(reply)
        click(at, "发送")
    assert not at.exception
    page = texts(at)
    assert "成绩单" in page and "对话结束：3/4 轮合格" in page
    with reading(env.engine) as s:
        rows = s.scalars(select(Response).order_by(Response.id)).all()
        att = s.scalars(select(Attempt).where(Attempt.kind == "dialog")).one()
    assert [r.turn_id for r in rows] == ["ask", "angry", "title", "thanks"]
    assert all(r.response_ms is not None and r.response_ms >= 0 for r in rows)
    assert att.finished_at is not None and att.passed is False


def test_dialog_resumes_after_a_new_session(env) -> None:
    at = open_app(env.trainee, "app_pages/dialog.py")
    click(at, "开始对话")
    at.text_area[0].input("可以开发票的亲")
    click(at, "发送")
    again = open_app(env.trainee, "app_pages/dialog.py")
    page = texts(again)
    assert "可以开发票的亲" in page and "抬头写个人名字行吗？" in page


# ---------------------------------------------------------------- exam


def _complete_path(env) -> None:
    now = dt.datetime.now(dt.UTC)
    with transaction(env.engine) as s:
        for lid in env.catalog.lessons:
            store.mark_lesson_learned(
                session=s, user_id=env.trainee.id, lesson_id=lid, rule_version=1, now=now
            )
    for q in env.catalog.questions.values():
        if q.type == "dialog":
            continue
        if q.type == "reply":
            response = q.model_answer
        elif q.type == "multiple":
            response = list(q.answer)
        else:
            response = q.answer
        submit_answer(
            env.engine,
            env.catalog,
            user_id=env.trainee.id,
            question_id=q.id,
            response=response,
            kind="practice",
            submission_id=f"seed-{q.id}",
            now=now,
        )


def test_exam_waits_for_the_path(env) -> None:
    at = open_app(env.trainee, "app_pages/exam.py")
    assert "先完成入职培训路径" in texts(at)
    assert next(b for b in at.button if b.key == "exam_start").disabled


def test_exam_no_feedback_until_handed_in_then_certificate(env) -> None:
    _complete_path(env)
    at = open_app(env.trainee, "app_pages/exam.py")
    click(at, "开始考试")
    assert "剩余时间" in texts(at)
    with reading(env.engine) as s:
        att = s.scalars(select(Attempt).where(Attempt.kind == "exam")).one()
    for qid in att.question_ids:
        q = env.catalog.questions[qid]
        if q.type == "reply":
            at.text_area[0].input(q.model_answer)
        elif q.type == "numeric":
            at.number_input[0].set_value(q.answer)
        elif q.type == "true_false":
            at.radio[0].set_value("对" if q.answer else "错")
        else:
            at.radio[0].set_value(q.answer)
        click(at, "提交答案")
        page = texts(at)
        assert "答案已保存" in page
        assert "回答正确" not in page and "通过：" not in page  # no feedback in the exam
        if any(b.key == "exam_next" for b in at.button):
            click(at, "下一题 →")
    click(at, "交卷")
    assert not at.exception
    page = texts(at)
    assert "考试通过" in page and "上岗认证证书" in page
    assert count(env, Certification, user_id=env.trainee.id) == 1
    # handing in again (a second tab, a double click) certifies once
    again = open_app(env.trainee, "app_pages/exam.py")
    assert not again.exception
    assert count(env, Certification, user_id=env.trainee.id) == 1


def test_exam_time_limit_is_kept_on_the_server(env) -> None:
    _complete_path(env)
    at = open_app(env.trainee, "app_pages/exam.py")
    click(at, "开始考试")
    with transaction(env.engine) as s:
        att = s.scalars(select(Attempt).where(Attempt.kind == "exam")).one()
        att.deadline_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    again = open_app(env.trainee, "app_pages/exam.py")
    assert "考试时间已到" in texts(again)
    with reading(env.engine) as s:
        att = s.scalars(select(Attempt).where(Attempt.kind == "exam")).one()
    assert att.finished_at is not None and att.passed is False


# ---------------------------------------------------------------- refresher and mistakes


def _wrong_answer(env, qid: str = "b-invoice-tf", response=True) -> None:
    submit_answer(
        env.engine,
        env.catalog,
        user_id=env.trainee.id,
        question_id=qid,
        response=response,
        kind="practice",
        submission_id=f"wrong-{qid}",
        now=dt.datetime.now(dt.UTC) - dt.timedelta(days=2),
    )


def test_refresher_runs_the_due_items_and_summarises(env) -> None:
    _wrong_answer(env)
    at = open_app(env.trainee, "app_pages/refresher.py")
    assert "有 1 道题需要复习" in texts(at)
    click(at, "开始复训")
    at.radio[0].set_value("错")
    click(at, "提交答案")
    click(at, "查看本轮结果")
    assert not at.exception
    page = texts(at)
    assert "本轮复训答对 1/1 题" in page
    with reading(env.engine) as s:
        card = store.get_review_states(session=s, user_id=env.trainee.id)[0]
    assert dt.datetime.fromisoformat(card["due_at"]) > dt.datetime.now(dt.UTC)


def test_refresher_set_can_be_started(env) -> None:
    at = open_app(env.trainee, "app_pages/refresher.py")
    click(at, "开始这个题组")
    assert not at.exception
    assert "复训·入门必学" in texts(at)


def test_mistakes_lists_wrong_answers_and_retry_clears_them(env) -> None:
    _wrong_answer(env)
    at = open_app(env.trainee, "app_pages/mistakes.py")
    assert "共 1 道题" in texts(at)
    click(at, "重做")
    at.radio[0].set_value("错")
    click(at, "提交答案")
    assert "通过：1/1 分" in texts(at)
    again = open_app(env.trainee, "app_pages/mistakes.py")
    assert "错题本是空的" in texts(again)


# ---------------------------------------------------------------- account


def test_change_password_and_logout(env) -> None:
    at = open_app(env.trainee, "app_pages/account.py")
    at.text_input(key="account_old").input("mima-12345")
    at.text_input(key="account_new").input("new-password-9")
    at.text_input(key="account_new2").input("new-password-9")
    click(at, "修改密码")
    assert "密码已修改" in texts(at)
    click(at, "退出登录")
    assert "auth_user" not in at.session_state
    assert [b.label for b in at.form_submit_button] == ["登录"]


# ---------------------------------------------------------------- appeals and reviews


def test_trainee_appeals_a_reply_and_sees_the_review(env) -> None:
    from trainer.records import review
    from trainer.records.models import Appeal

    at = open_app(env.trainee, "app_pages/reply.py")
    _reply(at, "稍等，可以开发票的")
    at.text_area(key=next(k for k in _keys(at) if k.endswith("_appeal_reason"))).input(
        "我答应了开发票，只是用了稍等"
    )
    click(at, "提交申诉")
    assert not at.exception
    assert "已于" in texts(at) and "等待主管复核" in texts(at)
    with reading(env.engine) as s:
        appeal = s.scalars(select(Appeal)).one()
        rid = appeal.response_id
    with transaction(env.engine) as s:
        review.override_score(
            session=s,
            actor=s.get(User, env.admin.id),
            response_id=rid,
            new_score=80,
            reason="意思对，稍等扣分过重",
            now=dt.datetime.now(dt.UTC),
        )
    home = open_app(env.trainee)
    page = texts(home)
    assert "主管复核" in page and "意思对，稍等扣分过重" in page and "→ 80/100" in page


def _keys(at) -> list[str]:
    return [w.key for w in at.text_area if w.key]
