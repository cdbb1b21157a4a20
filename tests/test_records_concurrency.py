"""Many writers at once: no error, no lost or duplicated row; a killed writer loses nothing
it had committed; two app processes on one PostgreSQL see each other's writes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import T0
from trainer.accounts import add_user
from trainer.catalog import load_catalog
from trainer.grading import grade
from trainer.records import store
from trainer.records.db import ensure_schema, make_engine, transaction
from trainer.records.models import Response

ROOT = Path(__file__).resolve().parents[1]
CAT = load_catalog(ROOT / "tests" / "fixtures" / "example")
Q = CAT.questions["example-invoice-reply"]
THREADS, PER_THREAD = 32, 200


def _submit(engine, user_id: int, sid: str) -> None:
    g = grade(Q, "亲，特价商品也可以开发票的，麻烦提供抬头")
    with transaction(engine) as s:
        store.record_response(
            session=s,
            submission_id=sid,
            user_id=user_id,
            question_id=Q.id,
            kind="reply",
            response="亲，可以开",
            grade=g,
            content_version=CAT.version,
            rule_version=1,
            now=T0,
        )


@pytest.mark.slow
def test_32_threads_200_submits_each(engine) -> None:
    with transaction(engine) as s:
        uid = add_user(
            session=s,
            username="load",
            display_name="压测",
            password="12345678",
            role="trainee",
            now=T0,
        ).id
    errors: list[BaseException] = []

    def worker(t: int) -> None:
        try:
            for i in range(PER_THREAD):
                _submit(engine, uid, f"t{t}-{i}")
                if i % 10 == 0:  # a resent form: the same submission again
                    _submit(engine, uid, f"t{t}-{i}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with transaction(engine) as s:
        total = s.scalar(select(func.count()).select_from(Response))
        distinct = s.scalar(select(func.count(func.distinct(Response.submission_id))))
    assert total == distinct == THREADS * PER_THREAD


WRITER = """
import sys
from tests.conftest import T0
from tests.test_records_concurrency import _submit
from trainer.records.db import make_engine
engine = make_engine(sys.argv[1])
for i in range(100000):
    _submit(engine, int(sys.argv[2]), f"k{i}")
    print(f"k{i}", flush=True)
"""


@pytest.mark.slow
def test_writer_killed_mid_run_loses_nothing_committed(engine, db_url) -> None:
    with transaction(engine) as s:
        uid = add_user(
            session=s,
            username="kill",
            display_name="k",
            password="12345678",
            role="trainee",
            now=T0,
        ).id
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, db_url, str(uid)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    committed = []
    deadline = time.monotonic() + 60
    assert proc.stdout is not None
    while len(committed) < 150 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        committed.append(line.strip())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert len(committed) >= 150, "writer did not get going"
    fresh = make_engine(db_url)
    with transaction(fresh) as s:
        stored = set(s.scalars(select(Response.submission_id)))
    fresh.dispose()
    assert set(committed) <= stored


@pytest.mark.postgres
def test_two_app_processes_share_postgresql(pg_url) -> None:
    a, b = make_engine(pg_url), make_engine(pg_url)
    ensure_schema(a)
    with transaction(a) as s:
        uid = add_user(
            session=s,
            username="shared",
            display_name="共享",
            password="12345678",
            role="trainee",
            now=T0,
        ).id
    _submit(a, uid, "from-a")
    _submit(b, uid, "from-b")
    for eng in (a, b):
        with transaction(eng) as s:
            assert set(s.scalars(select(Response.submission_id))) == {"from-a", "from-b"}
    a.dispose()
    b.dispose()


@pytest.mark.slow
def test_replicas_starting_together_migrate_once(db_url) -> None:
    """Several app processes starting at the same time against an empty database: one runs
    the migrations, the others wait and find the schema at head."""
    from trainer.records.db import current_revision

    code = (
        "import sys; from trainer.records.db import make_engine, ensure_schema;"
        "ensure_schema(make_engine(sys.argv[1]))"
    )
    root = Path(__file__).resolve().parents[1]
    procs = [
        subprocess.Popen([sys.executable, "-c", code, db_url], cwd=root, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    results = [(p.wait(timeout=120), p.stderr.read().decode()) for p in procs]
    assert [rc for rc, _ in results] == [0, 0, 0, 0], [err[-800:] for _, err in results]
    e = make_engine(db_url)
    try:
        assert current_revision(e) is not None
    finally:
        e.dispose()
