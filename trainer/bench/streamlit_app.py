"""Benchmarks 6 and 7: memory per idle session and cold start, real app against a bare form."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from trainer.bench.harness import BenchResult
from trainer.bench.server import ROOT, StreamlitServer
from trainer.bench.wsclient import StreamlitSession

APP = ROOT / "app.py"
BARE = ROOT / "trainer" / "bench" / "apps" / "bare_form.py"
ARGS = ("--server.enableXsrfProtection", "false", "--runner.postScriptGC", "false")
MEMORY_TARGET_KB = 150


def _env(tmp: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}"}


def cold_start_once(script: Path, env: dict[str, str]) -> float:
    """Seconds from `streamlit run` to the first page rendered for a new session."""
    t0 = time.perf_counter()
    with StreamlitServer(script, env=env, extra_args=ARGS) as srv:
        session = StreamlitSession(srv.url, timeout=120)
        session.run_script()
        elapsed = time.perf_counter() - t0
        session.close()
    return elapsed


def bench_cold_start(rounds: int = 3) -> BenchResult:
    with tempfile.TemporaryDirectory() as tmp:
        env = _env(Path(tmp))
        subject, baseline = [], []
        for i in range(rounds):
            pair = [(APP, subject), (BARE, baseline)]
            for script, sink in pair if i % 2 == 0 else reversed(pair):
                sink.append(cold_start_once(script, env))
    s, b = statistics.median(subject), statistics.median(baseline)
    return BenchResult(
        name="7. 冷启动到首屏",
        subject="app.py 登录页",
        subject_value=s,
        baseline="空白表单页",
        baseline_value=b,
        unit="秒",
        ratio=s / b,
        target="记录（无硬性目标）",
        ok=True,
        note="服务端：从启动进程到首个会话脚本跑完",
    )


def idle_session_kb(script: Path, env: dict[str, str], sessions: int) -> float:
    with StreamlitServer(script, env=env, extra_args=ARGS) as srv:
        warm = StreamlitSession(srv.url, timeout=120)
        warm.run_script()
        time.sleep(1.0)
        before = srv.rss_kb()
        opened = []
        for _ in range(sessions):
            s = StreamlitSession(srv.url, timeout=120)
            s.run_script()
            opened.append(s)
        time.sleep(2.0)
        after = srv.rss_kb()
        for s in opened:
            s.close()
        warm.close()
    return (after - before) / sessions


def bench_memory(sessions: int = 60, rounds: int = 3) -> BenchResult:
    with tempfile.TemporaryDirectory() as tmp:
        env = _env(Path(tmp))
        subject, baseline = [], []
        for i in range(rounds):
            pair = [(APP, subject), (BARE, baseline)]
            for script, sink in pair if i % 2 == 0 else reversed(pair):
                sink.append(idle_session_kb(script, env, sessions))
    s, b = statistics.median(subject), statistics.median(baseline)
    return BenchResult(
        name="6. 每个空闲会话的内存",
        subject=f"app.py 登录页 ×{sessions}",
        subject_value=s,
        baseline="空白表单页",
        baseline_value=b,
        unit="KB/会话",
        ratio=s / b if b > 0 else float("inf"),
        target=f"≤ {MEMORY_TARGET_KB} KB",
        ok=s <= MEMORY_TARGET_KB,
        note="RSS 增量 / 会话数",
    )
