"""The submit path's SQL, written once per dialect and run on the pool's DBAPI connection.

Storing an answer is the one write every trainee makes dozens of times an hour, so it skips
the ORM: one short transaction (``BEGIN IMMEDIATE`` on SQLite) with at most four statements —
check the attempt's deadline, insert the answer (``ON CONFLICT (submission_id) DO NOTHING``,
so a resend stores nothing), read the FSRS card and upsert it.  Values are encoded exactly as
the ORM models store them (see :mod:`trainer.records.models`: JSON text, UTC times, on SQLite
as naive ``YYYY-MM-DD HH:MM:SS.ffffff`` strings), so the ORM reads these rows like any other.
The ``answer_rollups`` trigger keeps the board's rollup current as for any insert.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from trainer.records.errors import DeadlinePassed, NotFound

_COLUMNS = (
    "submission_id, attempt_id, user_id, question_id, turn_id, kind, response, grade, score, "
    "max_score, passed, violation_ids, grader_version, content_version, rule_version, "
    "response_ms, created_at"
)


@dataclass(frozen=True)
class _SQL:
    attempt: str
    insert: str
    existing: str
    card: str
    upsert_card: str


def _sql(dialect: str) -> _SQL:
    if dialect == "postgresql":
        p, js = "%s", "%s::json"
    else:
        p, js = "?", "?"
    values = ", ".join([p] * 6 + [js, js] + [p] * 3 + [js] + [p] * 5)
    return _SQL(
        attempt=f"SELECT deadline_at FROM attempts WHERE id = {p}",
        insert=(
            f"INSERT INTO responses ({_COLUMNS}) VALUES ({values}) "
            "ON CONFLICT (submission_id) DO NOTHING RETURNING id"
        ),
        existing=f"SELECT id, grade FROM responses WHERE submission_id = {p}",
        card=f"SELECT state FROM review_cards WHERE user_id = {p} AND question_id = {p}",
        upsert_card=(
            "INSERT INTO review_cards (user_id, question_id, state, due_at, updated_at) "
            f"VALUES ({p}, {p}, {js}, {p}, {p}) ON CONFLICT (user_id, question_id) DO UPDATE "
            "SET state = excluded.state, due_at = excluded.due_at, updated_at = excluded.updated_at"
        ),
    )


_BY_DIALECT = {name: _sql(name) for name in ("sqlite", "postgresql")}


def _time(value: dt.datetime, sqlite: bool) -> Any:
    """A UTC time as the ORM's UTCDateTime stores it (on SQLite ``YYYY-MM-DD HH:MM:SS.ffffff``)."""
    utc = value.astimezone(dt.UTC)
    return utc.replace(tzinfo=None).isoformat(" ", "microseconds") if sqlite else utc


def _parse(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


#: one encoder for every call (``json.dumps`` with options builds a new one each time)
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@dataclass(frozen=True)
class Stored:
    response_id: int
    created: bool  # False: this submission_id was stored before (a resend)
    grade: dict[str, Any]  # the grade as stored (the earlier one for a resend)


def store_and_schedule(
    engine: Engine,
    *,
    submission_id: str,
    user_id: int,
    question_id: str,
    kind: str,
    response: Any,
    grade: dict[str, Any],
    content_version: str,
    rule_version: int,
    now: dt.datetime,
    attempt_id: int | None = None,
    turn_id: str | None = None,
    response_ms: int | None = None,
    schedule=None,
) -> Stored:
    """Store one graded answer and, when ``schedule`` is given (a function from the previous
    FSRS state dict or None to ``(state dict, due_at)``), move its card — one transaction.
    ``grade`` is ``Grade.to_dict()``.  Raises :class:`NotFound` / :class:`DeadlinePassed`."""
    dialect = engine.dialect.name
    sql = _BY_DIALECT[dialect]
    sqlite = dialect == "sqlite"
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if sqlite:
            cur.execute("BEGIN IMMEDIATE")
        try:
            if attempt_id is not None:
                cur.execute(sql.attempt, (attempt_id,))
                row = cur.fetchone()
                if row is None:
                    raise NotFound("找不到这次作答")
                deadline = _parse(row[0])
                if deadline is not None and now > deadline:
                    raise DeadlinePassed("考试时间已到，这道题的答案没有被接收")
            violation_ids = [v["id"] for v in grade.get("violations", ())]
            cur.execute(
                sql.insert,
                (
                    submission_id,
                    attempt_id,
                    user_id,
                    question_id,
                    turn_id,
                    kind,
                    _dumps(response),
                    _dumps(grade),
                    grade["score"],
                    grade["max_score"],
                    bool(grade["passed"]),
                    _dumps(violation_ids),
                    grade["grader_version"],
                    content_version,
                    rule_version,
                    response_ms,
                    stamp := _time(now, sqlite),
                ),
            )
            row = cur.fetchone()
            if row is not None:
                stored = Stored(int(row[0]), True, grade)
                if schedule is not None:
                    cur.execute(sql.card, (user_id, question_id))
                    prev = cur.fetchone()
                    before = None if prev is None else prev[0]
                    if isinstance(before, str):
                        before = json.loads(before)
                    state, due_at = schedule(before)
                    cur.execute(
                        sql.upsert_card,
                        (
                            user_id,
                            question_id,
                            _dumps(state),
                            _time(due_at, sqlite),
                            stamp,
                        ),
                    )
            else:
                cur.execute(sql.existing, (submission_id,))
                rid, old = cur.fetchone()
                stored = Stored(int(rid), False, json.loads(old) if isinstance(old, str) else old)
        except BaseException:
            if sqlite:
                cur.execute("ROLLBACK")
            else:
                raw.rollback()
            raise
        if sqlite:
            cur.execute("COMMIT")
        else:
            raw.commit()
        cur.close()
        return stored
    finally:
        raw.close()
