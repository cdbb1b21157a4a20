"""Real-browser journeys of a manager, in headless Chromium against `streamlit run`, on a
team seeded through the real grader (tests/manager_seed.py).

1. The manager logs in, filters the board, opens an agent, overrides a reply score with a
   reason, and exports the board as XLSX; the file opens with openpyxl with the expected rows.
2. Hostile names and replies (``<img src=x onerror=alert(1)>``, ``[点我](javascript:alert(1))``)
   are shown literally on the board, the agent page and the review queue; no dialog fires
   and no image or javascript: link is created.

Screenshots of the key screens are kept in test-artifacts/.
"""

from __future__ import annotations

import datetime as dt
import time

import openpyxl
import pytest
from sqlalchemy import select

from tests.browser_support import (
    app_server,
    browser,
    click_button,
    nav,
    open_app,
    settle,
    shot,
    text_of,
)
from tests.manager_seed import (
    CONTENT,
    PASSWORD,
    XSS_IMG,
    XSS_MD,
    XSS_REPLY_IMG,
    XSS_REPLY_MD,
    seed_team,
)
from trainer.records.db import ensure_schema, make_engine, reading
from trainer.records.models import Appeal, ScoreOverride
from trainer.reports.board import COLUMNS

pytestmark = [pytest.mark.browser, pytest.mark.slow]
REASON = "要点都答到了，“稍等”只扣礼貌分"


@pytest.fixture
def seeded_db(tmp_path):
    url = f"sqlite:///{tmp_path / 'manager.db'}"
    engine = make_engine(url)
    ensure_schema(engine)
    seeded = seed_team(engine, dt.datetime.now(dt.UTC))
    engine.dispose()
    return url, seeded


def _login(page, url: str, username: str) -> None:
    open_app(page, url)
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    click_button(page, "登录")


def _open(page, label: str) -> None:
    """Open the selectbox labelled ``label`` (again, if a late re-render closed it)."""
    box = page.get_by_role("combobox", name=label, exact=True)
    for _ in range(5):
        box.click()
        try:
            page.get_by_role("option").first.wait_for(timeout=2_000)
            return
        except Exception:  # the list did not open yet: the page was still re-rendering
            page.keyboard.press("Escape")
            page.wait_for_timeout(500)
    raise AssertionError(f"the selectbox {label!r} does not open")


def _choose(page, label: str, option: str) -> None:
    """Pick the option containing ``option`` in the selectbox labelled ``label``."""
    _open(page, label)
    page.get_by_role("option", name=option).first.click()
    settle(page)


def _wait_text(page, text: str, timeout: float = 30.0) -> str:
    """The main area's text once it contains ``text`` (an action's rerun may still be
    drawing when the script state first reads "not running")."""
    deadline = time.monotonic() + timeout
    body = text_of(page)
    while text not in body and time.monotonic() < deadline:
        page.wait_for_timeout(250)
        body = text_of(page)
    assert text in body, body[-1500:]
    return body


def _metric(page, label: str, expected: str, timeout: float = 30.0) -> None:
    """The metric labelled ``label`` shows ``expected`` (waiting out a rerun still drawing)."""
    box = page.locator("[data-testid='stMetric']").filter(has_text=label).first
    deadline = time.monotonic() + timeout
    value = box.locator("[data-testid='stMetricValue']").inner_text().strip()
    while value != expected and time.monotonic() < deadline:
        page.wait_for_timeout(250)
        value = box.locator("[data-testid='stMetricValue']").inner_text().strip()
    assert value == expected, (label, value, expected)


def test_manager_journey(seeded_db, tmp_path) -> None:
    url, seeded = seeded_db
    with app_server(url, CONTENT) as srv, browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        _login(page, srv.url, "lead_a")
        nav(page, "团队看板")
        _metric(page, "学员", "5")
        # ---- filter the board: Tmall shops only (小陈 runs a Taobao shop)
        _choose(page, "店铺平台", "天猫")
        _metric(page, "学员", "4")
        shot(page, "m01-board-filtered")
        # ---- open an agent
        _choose(page, "查看学员详情", "小张（xiaozhang）")
        click_button(page, "打开学员详情")
        _wait_text(page, "小张（xiaozhang） · 甲组 · 天猫")
        # ---- override the reply score with a reason
        _choose(page, "作答", "情景回复")
        _wait_text(page, "稍等，可以开发票的")
        main = page.locator("[data-testid='stMain']")
        score = main.get_by_label("新分数（0–100）", exact=True)
        score.fill("70")
        main.get_by_label("改分原因（必填，学员会看到）", exact=True).fill(REASON)
        click_button(page, "保存改分")
        body = _wait_text(page, "已改为 70 分")
        assert "复核记录" in body  # the history table (drawn on a canvas) is shown
        shot(page, "m02-agent-override")
        # ---- back to the board: export as XLSX
        nav(page, "团队看板")
        _choose(page, "店铺平台", "天猫")
        _metric(page, "学员", "4")
        with page.expect_download() as info:
            page.get_by_role("button", name="下载 Excel").first.click()
        path = tmp_path / "board.xlsx"
        info.value.save_as(path)
        assert info.value.suggested_filename.startswith("团队看板-")
        assert info.value.suggested_filename.endswith(".xlsx")
        shot(page, "m03-board-export")
        assert dialogs == []

    wb = openpyxl.load_workbook(path)
    rows = list(wb["团队看板"].values)
    header, data = rows[0], rows[1:]
    assert list(header) == [c for c in COLUMNS if c != "user_id"]
    col = {name: i for i, name in enumerate(header)}
    by_user = {r[col["用户名"]]: r for r in data}
    assert set(by_user) == {"xiaoli", "xiaozhang", "xss_img", "xss_md"}
    zhang = by_user["xiaozhang"]
    assert zhang[col["学员"]] == "小张" and zhang[col["平台"]] == "天猫"
    assert zhang[col["平均得分率"]] == pytest.approx(round((2 + 0.7) / 7, 3))  # after the override
    assert by_user["xss_img"][col["学员"]] == XSS_IMG
    assert by_user["xss_md"][col["学员"]] == XSS_MD

    engine = make_engine(url)
    with reading(engine) as s:
        ov = s.scalars(select(ScoreOverride)).one()
        assert (ov.old_score, ov.new_score, ov.reason) == (50, 70, REASON)
        assert ov.response_id == seeded.responses["xiaozhang_near"]
        assert s.get(Appeal, seeded.appeal_id).outcome == "已改分"
    engine.dispose()


def _shown_as_text(page, testid: str, text: str) -> None:
    """``text`` is on screen, literally, in an element of type ``testid`` (stText, stCode)."""
    el = page.locator(f"[data-testid='stMain'] [data-testid='{testid}']").filter(has_text=text)
    assert el.first.is_visible(), f"{text!r} is not shown in a {testid}"
    assert text in el.first.inner_text()


def _no_script_ran(page) -> None:
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0


def test_hostile_names_and_replies_stay_text(seeded_db) -> None:
    url, _ = seeded_db
    with app_server(url, CONTENT) as srv, browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        _login(page, srv.url, "lead_a")
        # ---- the board: names in the table and in the agent picker
        nav(page, "团队看板")
        _open(page, "查看学员详情")
        assert page.get_by_role("option", name=f"{XSS_IMG}（xss_img）").is_visible()
        assert page.get_by_role("option", name=f"{XSS_MD}（xss_md）").is_visible()
        page.keyboard.press("Escape")
        _no_script_ran(page)
        # ---- the agent page: the name and the reply, literally
        for username, name, reply in (
            ("xss_img", XSS_IMG, XSS_REPLY_IMG),
            ("xss_md", XSS_MD, XSS_REPLY_MD),
        ):
            nav(page, "学员详情")
            _choose(page, "学员", f"{name}（{username} · 甲组）")
            _choose(page, "作答", "情景回复")
            _shown_as_text(page, "stText", f"{name}（{username}） · 甲组 · 天猫")
            _shown_as_text(page, "stCode", reply)
            _no_script_ran(page)
            shot(page, f"m04-xss-agent-{username}")
        # ---- the review queue: xss_img scored exactly the pass mark
        nav(page, "待复核")
        _choose(page, "复核哪一条", f"接近及格线 · {XSS_IMG}（xss_img） · 60/100")
        _shown_as_text(page, "stText", XSS_IMG)
        _shown_as_text(page, "stCode", XSS_REPLY_IMG)
        _no_script_ran(page)
        shot(page, "m05-xss-review")
        page.wait_for_timeout(500)  # a late onerror would fire here
        assert dialogs == []


def test_every_manager_and_admin_page_renders(seeded_db) -> None:
    """The admin walks every team and admin page: no error box, no dialog; a tall screenshot
    of each for a person to look at."""
    url, _ = seeded_db
    pages = ["团队看板", "学员详情", "题目分析", "待复核", "分配", "管理"]
    with app_server(url, CONTENT) as srv, browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 2600})
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        _login(page, srv.url, "admin")
        for i, title in enumerate(pages, start=6):
            page.get_by_role("link", name=title, exact=True).first.click()
            settle(page)
            page.wait_for_timeout(800)  # charts draw after the script has finished
            assert page.locator("[data-testid='stException']").count() == 0, title
            assert page.locator("[data-testid='stMain'] h1").first.inner_text().strip()
            _no_script_ran(page)
            shot(page, f"m{i:02d}-page-{title}")
        assert dialogs == []
