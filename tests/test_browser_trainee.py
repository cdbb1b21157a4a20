"""Real-browser journeys of a trainee, in headless Chromium against `streamlit run`.

1. The newcomer: first-run admin setup → the admin adds a trainee → the trainee logs in,
   reads the lessons, practises, answers a reply scenario (with feedback), plays a dialog,
   takes the exam and sees the certificate.
2. The resume journey: the browser is closed in the middle of a practice round; after a new
   login the round continues where it stopped with every submitted answer kept; a page
   reload keeps the trainee logged in.

Screenshots of the key screens are kept in test-artifacts/.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.app_env import JOURNEY
from tests.browser_support import (
    app_server,
    browser,
    click_button,
    nav,
    open_app,
    settle,
    shot,
    text_of,
    wait_text,
)
from trainer.accounts import add_user
from trainer.catalog import load_catalog
from trainer.records.db import ensure_schema, make_engine, reading, transaction
from trainer.records.models import Certification, Response

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CAT = load_catalog(JOURNEY)
PASSWORD = "xinren-2024"


def _visible_question(page, timeout: float = 30.0):
    """The catalog question shown on the page (by its prompt or buyer message)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        body = text_of(page)
        for q in CAT.questions.values():
            marker = q.buyer if q.type == "reply" else q.prompt
            if q.type != "dialog" and marker in body and "提交答案" in body:
                return q
        if time.monotonic() > deadline:
            raise AssertionError(f"no known question on the page:\n{body[:500]}")
        page.wait_for_timeout(250)


def _answer(page, q, right: bool = True) -> None:
    main = page.locator("[data-testid='stMain']")
    if q.type == "single":
        key = q.answer if right else next(k for k in q.options if k != q.answer)
        main.get_by_text(f"{key}. {q.options[key]}", exact=True).click()
    elif q.type == "multiple":
        for k in q.answer:
            main.get_by_text(f"{k}. {q.options[k]}", exact=True).click()
    elif q.type == "true_false":
        word = ("对" if q.answer else "错") if right else ("错" if q.answer else "对")
        main.locator("[data-testid='stRadio']").get_by_text(word, exact=True).click()
    elif q.type == "numeric":
        box = main.get_by_label(f"填写数值（单位：{q.unit}）")
        box.fill(str(int(q.answer) if right else int(q.answer) + 1))
    elif q.type == "reply":
        main.locator("textarea").first.fill(q.model_answer if right else "稍等")
    page.wait_for_timeout(200)
    click_button(page, "提交答案")
    wait_text(page, "通过：", "未通过：", "不通过：", "答案已保存")


def _login(page, url: str, username: str, password: str) -> None:
    open_app(page, url)
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    click_button(page, "登录")


def test_newcomer_journey(tmp_path) -> None:
    db = f"sqlite:///{tmp_path / 'journey.db'}"
    with app_server(db, JOURNEY) as srv, browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 900})
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        # ---- first start: create the first admin
        open_app(page, srv.url)
        assert "欢迎使用客服训练营" in text_of(page)
        shot(page, "01-setup")
        page.get_by_label("管理员用户名", exact=True).fill("admin")
        page.get_by_label("姓名", exact=True).fill("周培训")
        page.get_by_label("密码（至少 8 位）", exact=True).fill("guanli-2024")
        page.get_by_label("再输一次密码", exact=True).fill("guanli-2024")
        click_button(page, "创建管理员并登录")
        # ---- the admin adds a trainee
        nav(page, "管理")
        _admin_adds_trainee(page)
        shot(page, "02-admin-added-trainee")
        nav(page, "账号")
        click_button(page, "退出登录")
        # ---- the trainee logs in
        _login(page, srv.url, "xinren", PASSWORD)
        wait_text(page, "你好，新人小周")
        shot(page, "03-home")
        # ---- lessons
        click_button(page, "学习《发票：付款后必须无偿提供》")
        wait_text(page, "推荐话术")
        shot(page, "04-lesson")
        click_button(page, "标记为已学")
        click_button(page, "下一课 →")
        click_button(page, "标记为已学")
        # ---- practice: a round, every answer right
        nav(page, "练习")
        click_button(page, "开始一轮练习")
        for i in range(6):
            q = _visible_question(page)
            _answer(page, q)
            if i == 0:
                shot(page, "05-practice-feedback")
            nxt = "查看本轮结果" if i == 5 else "下一题 →"
            click_button(page, nxt)
        wait_text(page, "本轮练习完成：答对 6/6 题")
        # ---- a reply scenario with feedback
        nav(page, "情景回复")
        page.locator("textarea").first.fill("亲，特价商品的发票开不了哦，稍等")
        click_button(page, "提交答案")
        body = wait_text(page, "违规：拒绝开发票")
        assert "违规扣6分" in body
        assert page.locator(".kf-viol").count() >= 1
        shot(page, "06-reply-feedback")
        # ---- a dialog
        nav(page, "对话模拟")
        click_button(page, "开始对话")
        for reply in (
            "亲，特价商品也可以开发票的哦，麻烦告诉我抬头",
            "个人姓名可以的，邮费我们承担，不用您出",
            "好的，收到后马上给您登记",
        ):
            page.locator("textarea").first.fill(reply)
            click_button(page, "发送")
        wait_text(page, "成绩单")
        shot(page, "07-dialog-scorecard")
        # ---- the exam and the certificate
        nav(page, "我的学习")
        click_button(page, "参加上岗认证考试")
        click_button(page, "开始考试")
        shot(page, "08-exam")
        for i in range(3):
            _answer(page, _visible_question(page))
            if i < 2:
                click_button(page, "下一题 →")
        click_button(page, "交卷")
        body = wait_text(page, "上岗认证证书")
        assert "考试通过" in body
        shot(page, "09-certificate")
        assert dialogs == []
    engine = make_engine(db)
    with reading(engine) as s:
        assert s.scalar(select(func.count()).select_from(Certification)) == 1
        assert s.scalar(select(func.count()).select_from(Response)) >= 6 + 1 + 3 + 3
    engine.dispose()


def _admin_adds_trainee(page) -> None:
    """On the 管理 page: add one trainee with a one-time password."""
    main = page.locator("[data-testid='stMain']")
    main.get_by_label("用户名", exact=True).fill("xinren")
    main.get_by_label("姓名", exact=True).fill("新人小周")
    main.get_by_label("初始密码（至少 8 位）", exact=True).fill(PASSWORD)
    main.get_by_label("团队", exact=True).fill("天猫一组")
    click_button(page, "添加用户")
    assert "已添加" in text_of(page)


def test_resume_journey(tmp_path) -> None:
    db = f"sqlite:///{tmp_path / 'resume.db'}"
    engine = make_engine(db)
    ensure_schema(engine)
    now = dt.datetime.now(dt.UTC)
    with transaction(engine) as s:
        add_user(
            session=s,
            username="admin",
            display_name="管理员",
            password="guanli-2024",
            role="admin",
            now=now,
        )
        add_user(
            session=s,
            username="xiaoli",
            display_name="李小丽",
            password=PASSWORD,
            role="trainee",
            team="甲组",
            platform="tmall",
            now=now,
        )
    with app_server(db, JOURNEY) as srv, browser() as b:
        ctx = b.new_context(viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        _login(page, srv.url, "xiaoli", PASSWORD)
        nav(page, "练习")
        click_button(page, "开始一轮练习")
        answered = []
        for _ in range(2):
            q = _visible_question(page)
            _answer(page, q)
            answered.append(q.id)
            click_button(page, "下一题 →")
        shot(page, "10-resume-before-close")
        ctx.close()  # the browser is closed mid-round
        # ---- a new browser, a new login: the round continues
        ctx = b.new_context(viewport={"width": 390, "height": 844})  # a phone this time
        page = ctx.new_page()
        _login(page, srv.url, "xiaoli", PASSWORD)
        page.goto(f"{srv.url}/practice")  # a new session: the cookie keeps the login
        page.wait_for_selector("[data-testid='stApp']")
        settle(page)
        body = text_of(page)
        assert "本轮已完成 2/6" in body and "第 3/6 题" in body
        assert _visible_question(page).id not in answered
        shot(page, "11-resume-on-phone")
        # ---- a reload keeps the trainee logged in (signed cookie) and on the same question
        page.reload()
        page.wait_for_selector("[data-testid='stApp']")
        settle(page)
        assert "第 3/6 题" in text_of(page)
        ctx.close()
    with reading(engine) as s:
        stored = s.scalars(select(Response.question_id).order_by(Response.id)).all()
    assert stored == answered
    engine.dispose()
