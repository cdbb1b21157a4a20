"""Benchmarks 5, 6 and 7: the real app in a real ``streamlit run`` server, against a bare
Streamlit page with the same widgets (trainer/bench/apps/bare_form.py).

* 5: server CPU seconds per quiz-submit rerun.  A client speaking Streamlit's websocket
  protocol (trainer/bench/wsclient.py) logs in with a signed cookie (no backdoor: the token
  is issued with the server's cookie secret, as after a real login), opens 练习 with a round
  of single-choice questions, and submits the form (the radio's value and the submit
  button's trigger, as the browser sends them); between two submits it clicks 下一题 (not
  measured).  CPU is read from ``/proc/<pid>/stat`` of the server before and after each
  submit rerun, after the server has settled (Streamlit's ``runner.postScriptGC`` collection
  runs after the client is told the script finished).  The bare form gets the same submits.
* 6: resident memory per idle connected session: RSS growth of the server after opening
  many sessions that each ran the page once, divided by their number.
* 7: seconds from ``streamlit run`` to the first page rendered for a first session.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from trainer.accounts import hash_password
from trainer.accounts.sessions import COOKIE_NAME, issue_token
from trainer.bench.harness import BenchResult
from trainer.bench.server import ROOT, StreamlitServer
from trainer.bench.wsclient import Run, StreamlitSession, string_value, trigger
from trainer.catalog import Catalog, load_catalog
from trainer.records import store
from trainer.records.db import ensure_schema, make_engine, transaction
from trainer.records.models import User

APP = ROOT / "app.py"
BARE = ROOT / "trainer" / "bench" / "apps" / "bare_form.py"
NO_XSRF = ("--server.enableXsrfProtection", "false")
CPU_TARGET = 1.5  # at most 1.5× the bare form
MEMORY_TARGET_KB = 150
SECRET = "bench-only-cookie-secret-not-for-production"
SETTLE = 0.3  # seconds after a run: lets the post-run collection and cleanup finish


def configured_post_script_gc() -> bool:
    """``runner.postScriptGC`` as the app runs it (Streamlit's default is on)."""
    path = ROOT / ".streamlit" / "config.toml"
    if not path.exists():
        return True
    with path.open("rb") as fh:
        return bool(tomllib.load(fh).get("runner", {}).get("postScriptGC", True))


def gc_args(post_script_gc: bool | None) -> tuple[str, ...]:
    """Command-line override of ``runner.postScriptGC`` (None: the config file's choice)."""
    if post_script_gc is None:
        return NO_XSRF
    return (*NO_XSRF, "--runner.postScriptGC", str(post_script_gc).lower())


@dataclass(frozen=True)
class AppFixture:
    env: dict[str, str]
    cookie: str  # the Cookie header of a logged-in trainee
    url: str
    user_id: int
    module: str
    questions: tuple[str, ...]  # the single-choice questions of a practice round

    def fresh_round(self) -> None:
        """Close the trainee's open practice rounds and open a new one with
        :attr:`questions` (what 练习 shows first, in the default module)."""
        engine = make_engine(self.url)
        now = dt.datetime.now(dt.UTC)
        with transaction(engine) as s:
            while True:
                att = store.get_open_attempt(session=s, user_id=self.user_id, kind="practice")
                if att is None:
                    break
                store.finish_attempt(session=s, attempt_id=att.id, now=now, score=None, passed=None)
                s.flush()
            store.start_attempt(
                session=s,
                user_id=self.user_id,
                kind="practice",
                ref=self.module,
                now=now,
                question_ids=self.questions,
            )
        engine.dispose()


def app_fixture(tmp: Path, catalog: Catalog) -> AppFixture:
    """A database with an admin (so no first-run setup) and a Tmall trainee, whose practice
    rounds hold every single-choice question for Tmall shops; plus the trainee's login
    cookie."""
    url = f"sqlite:///{tmp / 'app.db'}"
    engine = make_engine(url)
    ensure_schema(engine)
    now = dt.datetime.now(dt.UTC)
    pw = hash_password("bench-password-0")
    with transaction(engine) as s:
        s.add(
            User(
                username="admin",
                display_name="管理员",
                role="admin",
                password_hash=pw,
                created_at=now,
            )
        )
        user = User(
            username="agent",
            display_name="测试学员",
            role="trainee",
            platform="tmall",
            password_hash=pw,
            created_at=now,
        )
        s.add(user)
        s.flush()
        s.expunge(user)
    engine.dispose()
    token = issue_token(user, now=now, secret=SECRET.encode())
    env = {"DATABASE_URL": url, "TRAINER_COOKIE_SECRET": SECRET}
    qids = tuple(q.id for q in catalog.for_platform("tmall") if q.type == "single")
    fx = AppFixture(env, f"{COOKIE_NAME}={token}", url, user.id, next(iter(catalog.modules)), qids)
    fx.fresh_round()
    return fx


# ---------------------------------------------------------------- 5. CPU per submit rerun


def _settle() -> None:
    time.sleep(SETTLE)


def _submit_widgets(run: Run, k: int) -> list:
    radio = run.widgets("radio")[0]
    submit = next(b for b in run.widgets("button") if b.is_form_submitter)
    return [string_value(radio.id, radio.options[k % len(radio.options)]), trigger(submit.id)]


def app_cpu_per_submit(
    fixture: AppFixture,
    *,
    submits: int,
    post_script_gc: bool | None,
    rss: list[int] | None = None,
) -> float:
    """Server CPU seconds per quiz-submit rerun of the real app (practice page); the server's
    resident memory at the end (KB) is appended to ``rss`` when given."""
    fixture.fresh_round()
    with StreamlitServer(APP, env=fixture.env, extra_args=gc_args(post_script_gc)) as srv:
        ses = StreamlitSession(srv.url, timeout=120, cookie=fixture.cookie)
        page = ses.run(page_name="practice")
        spent = 0.0
        for k in range(submits + 2):  # the first two warm the caches, not counted
            widgets = _submit_widgets(page, k)
            _settle()
            before = srv.cpu_seconds()
            done = ses.run(widgets)
            _settle()
            if k >= 2:
                spent += srv.cpu_seconds() - before
            page = ses.run([trigger(done.button("下一题 →").id)])
        if rss is not None:
            rss.append(srv.rss_kb())
        ses.close()
    return spent / submits


def bare_cpu_per_submit(
    env: dict[str, str],
    *,
    submits: int,
    post_script_gc: bool | None,
    rss: list[int] | None = None,
) -> float:
    with StreamlitServer(BARE, env=env, extra_args=gc_args(post_script_gc)) as srv:
        ses = StreamlitSession(srv.url, timeout=120)
        page = ses.run()
        spent = 0.0
        for k in range(submits + 2):
            widgets = _submit_widgets(page, k)
            _settle()
            before = srv.cpu_seconds()
            page = ses.run(widgets)
            _settle()
            if k >= 2:
                spent += srv.cpu_seconds() - before
        if rss is not None:
            rss.append(srv.rss_kb())
        ses.close()
    return spent / submits


def _alternate(a: Callable[[], float], b: Callable[[], float], rounds: int) -> tuple:
    xs: list[float] = []
    ys: list[float] = []
    for i in range(rounds):
        for fn, sink in ((a, xs), (b, ys)) if i % 2 == 0 else ((b, ys), (a, xs)):
            sink.append(fn())
    return statistics.median(xs), statistics.median(ys), xs, ys


def bench_rerun_cpu(
    *, submits: int = 30, rounds: int = 3, post_script_gc: bool | None = None
) -> BenchResult:
    catalog = load_catalog(ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        fx = app_fixture(Path(tmp), catalog)
        n = min(submits, len(fx.questions) - 3)
        s, b, _, _ = _alternate(
            lambda: app_cpu_per_submit(fx, submits=n, post_script_gc=post_script_gc),
            lambda: bare_cpu_per_submit(fx.env, submits=n, post_script_gc=post_script_gc),
            rounds,
        )
    if post_script_gc is None:
        gc_label = ("开" if configured_post_script_gc() else "关") + "（.streamlit/config.toml）"
    else:
        gc_label = "开" if post_script_gc else "关"
    ratio = s / b if b else float("inf")
    return BenchResult(
        name="5. 每次测验提交的服务端 CPU",
        subject=f"app.py 练习页提交 ×{n}",
        subject_value=s * 1e3,
        baseline="空白表单页提交",
        baseline_value=b * 1e3,
        unit="ms CPU/次",
        ratio=ratio,
        target=f"≤ {CPU_TARGET:g}× 空白表单",
        ok=ratio <= CPU_TARGET,
        note=f"postScriptGC {gc_label}",
    )


def gc_decision(*, submits: int = 30, rounds: int = 3) -> dict[str, float]:
    """CPU per submit (ms) and the server's memory after the submits (MB), for the app and
    the bare form, with ``runner.postScriptGC`` on and off (the decision in
    docs/performance.md); each pair alternates."""
    catalog = load_catalog(ROOT)
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        fx = app_fixture(Path(tmp), catalog)
        n = min(submits, len(fx.questions) - 3)
        for name, measure in (
            ("app", lambda gc, rss: app_cpu_per_submit(fx, submits=n, post_script_gc=gc, rss=rss)),
            (
                "bare",
                lambda gc, rss: bare_cpu_per_submit(fx.env, submits=n, post_script_gc=gc, rss=rss),
            ),
        ):
            rss_on: list[int] = []
            rss_off: list[int] = []
            on, off, _, _ = _alternate(
                lambda m=measure, r=rss_on: m(True, r),
                lambda m=measure, r=rss_off: m(False, r),
                rounds,
            )
            out[f"{name}_gc_on_ms"] = on * 1e3
            out[f"{name}_gc_off_ms"] = off * 1e3
            out[f"{name}_gc_on_rss_mb"] = statistics.median(rss_on) / 1024
            out[f"{name}_gc_off_rss_mb"] = statistics.median(rss_off) / 1024
    return out


# ---------------------------------------------------------------- 7. cold start


def cold_start_once(script: Path, env: dict[str, str], cookie: str | None = None) -> float:
    """Seconds from `streamlit run` to the first page rendered for a new session."""
    t0 = time.perf_counter()
    with StreamlitServer(script, env=env, extra_args=NO_XSRF) as srv:
        session = StreamlitSession(srv.url, timeout=120, cookie=cookie)
        session.run()
        elapsed = time.perf_counter() - t0
        session.close()
    return elapsed


def bench_cold_start(rounds: int = 3) -> BenchResult:
    catalog = load_catalog(ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        fx = app_fixture(Path(tmp), catalog)
        subject, baseline = [], []
        for i in range(rounds):
            pair = [(APP, subject, fx.cookie), (BARE, baseline, None)]
            for script, sink, cookie in pair if i % 2 == 0 else reversed(pair):
                sink.append(cold_start_once(script, fx.env, cookie))
    s, b = statistics.median(subject), statistics.median(baseline)
    return BenchResult(
        name="7. 冷启动到首屏",
        subject="app.py 已登录学员首页",
        subject_value=s,
        baseline="空白表单页",
        baseline_value=b,
        unit="秒",
        ratio=s / b,
        target="记录（无硬性目标）",
        ok=True,
        note="从启动进程到首个会话的页面跑完",
    )


# ---------------------------------------------------------------- 6. memory per idle session


def idle_session_kb(
    script: Path, env: dict[str, str], sessions: int, cookie: str | None = None
) -> float:
    with StreamlitServer(script, env=env, extra_args=NO_XSRF) as srv:
        warm = StreamlitSession(srv.url, timeout=120, cookie=cookie)
        warm.run()
        time.sleep(1.0)
        before = srv.rss_kb()
        opened = []
        for _ in range(sessions):
            s = StreamlitSession(srv.url, timeout=120, cookie=cookie)
            s.run()
            opened.append(s)
        time.sleep(2.0)
        after = srv.rss_kb()
        for s in opened:
            s.close()
        warm.close()
    return (after - before) / sessions


def bench_memory(sessions: int = 60, rounds: int = 3) -> BenchResult:
    catalog = load_catalog(ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        fx = app_fixture(Path(tmp), catalog)
        subject, baseline = [], []
        for i in range(rounds):
            pair = [(APP, subject, fx.cookie), (BARE, baseline, None)]
            for script, sink, cookie in pair if i % 2 == 0 else reversed(pair):
                sink.append(idle_session_kb(script, fx.env, sessions, cookie))
    s, b = statistics.median(subject), statistics.median(baseline)
    return BenchResult(
        name="6. 每个空闲会话的内存",
        subject=f"app.py 已登录首页 ×{sessions}",
        subject_value=s,
        baseline="空白表单页",
        baseline_value=b,
        unit="KB/会话",
        ratio=s / b if b > 0 else float("inf"),
        target=f"≤ {MEMORY_TARGET_KB} KB",
        ok=s <= MEMORY_TARGET_KB,
        note="RSS 增量 / 会话数",
    )
