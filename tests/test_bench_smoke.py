"""Every benchmark runs at a tiny size and returns a result (no timing is asserted: the
figures live in docs/performance.md, measured by ``make bench``)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import PG_URL
from trainer.bench import board, grading, harness, run, streamlit_app, submit
from trainer.catalog import load_catalog
from trainer.cli import build_parser

CATALOG = load_catalog(run.ROOT)


def _ok(r: harness.BenchResult) -> None:
    assert r.subject_value > 0 and r.baseline_value > 0, r
    assert r.name and r.target and r.unit
    assert harness.format_table([r]).count("\n") == 2


def test_grading() -> None:
    _ok(grading.bench_grading(rounds=1))


def test_submit_against_a_raw_insert() -> None:
    _ok(submit.bench_submit(CATALOG, rounds=1, per_round=3))


@pytest.mark.slow
def test_concurrent_writers_on_sqlite() -> None:
    r = submit.bench_concurrency_sqlite(CATALOG, rounds=1, total=64)
    _ok(r)
    assert r.ok, r.note  # no error


@pytest.mark.slow
@pytest.mark.postgres
def test_concurrent_writers_on_postgresql() -> None:
    if PG_URL is None:
        pytest.skip("PostgreSQL on 127.0.0.1:5432 (database test) is not reachable")
    r = submit.bench_concurrency_postgres(CATALOG, PG_URL, rounds=1, total=64)
    _ok(r)
    assert r.ok, r.note


def test_board_at_a_small_scale(tmp_path) -> None:
    url = board.scale_database(tmp_path / "scale.db", CATALOG, agents=60, responses=1500)
    _ok(board.bench_board(url, CATALOG, rounds=1))


def test_the_runner_writes_the_table_and_json(tmp_path) -> None:
    results, failures = run.run(quick=True, only={1}, log=lambda s: None)
    assert [r.name for r in results] == ["1. 回复评分（单核）"] and failures == []
    path = run.save(results, failures, quick=True, path=tmp_path / "out.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["results"][0]["unit"] and data["machine"]["python"]
    args = build_parser().parse_args(["bench", "--quick", "--only", "1,4"])
    assert args.quick and args.only == {1, 4}


@pytest.mark.slow
def test_cpu_per_quiz_submit_drives_the_real_app() -> None:
    r = streamlit_app.bench_rerun_cpu(submits=2, rounds=1, post_script_gc=False)
    assert r.subject_value >= 0 and r.baseline_value >= 0
    assert "postScriptGC" in r.note


@pytest.mark.slow
def test_memory_per_idle_session_and_cold_start() -> None:
    m = streamlit_app.bench_memory(sessions=3, rounds=1)
    assert m.unit == "KB/会话"
    c = streamlit_app.bench_cold_start(rounds=1)
    assert c.subject_value > 0 and c.baseline_value > 0
