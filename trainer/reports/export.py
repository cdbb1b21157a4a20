"""Exports: the board and the answers as CSV (UTF-8 with BOM, so Excel opens the Chinese) and
XLSX (openpyxl).  Times are written in China time; cells that a spreadsheet would run as a
formula (starting with = + - @) are written as text, so a name like ``=HYPERLINK(…)`` stays a
name (CSV: a leading apostrophe, the usual guard; XLSX: a string cell)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from trainer.catalog import QUESTION_TYPES, Catalog
from trainer.records.models import Response, ScoreOverride, Team, User
from trainer.reports.agent import KIND_LABELS, question_title, response_text
from trainer.reports.board import latest_overrides, team_overview
from trainer.reports.scope import agent_ids
from trainer.reports.timeutil import china_tz

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXPORT_LIMIT = 100_000
HIDDEN = ("user_id", "response_id")


def _cell(value):
    if value is None or (not isinstance(value, list | tuple | dict) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(china_tz())
        return value.replace(tzinfo=None)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _for_export(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns=[c for c in HIDDEN if c in df.columns])


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with BOM (utf-8-sig); times in China time to the minute."""
    df = _for_export(df)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(df.columns)
    for row in df.itertuples(index=False):
        out = []
        for v in row:
            v = _cell(v)
            if isinstance(v, dt.datetime):
                v = v.strftime("%Y-%m-%d %H:%M")
            elif isinstance(v, str) and v.startswith(FORMULA_START):
                v = "'" + v
            out.append("" if v is None else v)
        w.writerow(out)
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook with one sheet per frame (bold header, frozen first row)."""
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for name, df in sheets.items():
        df = _for_export(df)
        ws = wb.create_sheet(title=name[:31])
        ws.freeze_panes = "A2"
        header = []
        for col in df.columns:
            c = WriteOnlyCell(ws, value=str(col))
            c.font = bold
            header.append(c)
        ws.append(header)
        for row in df.itertuples(index=False):
            cells = []
            for v in row:
                v = _cell(v)
                c = WriteOnlyCell(ws, value=v)
                if isinstance(v, str):
                    c.data_type = "s"  # never a formula, whatever the text starts with
                elif isinstance(v, dt.datetime):
                    c.number_format = "yyyy-mm-dd hh:mm"
                cells.append(c)
            ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def board_export(
    *,
    session: Session,
    actor: User,
    catalog: Catalog,
    now: dt.datetime,
    team_id: int | None = None,
    platform: str | None = None,
) -> pd.DataFrame:
    """The board's table as exported (the same rows as the page shows for these filters)."""
    return team_overview(
        session=session, actor=actor, catalog=catalog, now=now, team_id=team_id, platform=platform
    )


ANSWER_EXPORT_COLUMNS = [
    "学员",
    "用户名",
    "团队",
    "时间",
    "类型",
    "题型",
    "题目ID",
    "题目",
    "作答",
    "得分",
    "满分",
    "通过",
    "违规",
    "复核后得分",
    "复核原因",
]


def answers_export(
    *,
    session: Session,
    actor: User,
    catalog: Catalog,
    since: dt.datetime,
    until: dt.datetime,
    team_id: int | None = None,
    platform: str | None = None,
    user_id: int | None = None,
    limit: int = EXPORT_LIMIT,
) -> pd.DataFrame:
    """Every answer of the actor's agents in [since, until), oldest first, at most ``limit``
    rows, with the latest override (if any)."""
    agents = agent_ids(
        actor=actor, team_id=team_id, platform=platform, user_id=user_id, include_inactive=True
    )
    lo = latest_overrides()
    q = (
        select(Response, User.display_name, User.username, Team.name, ScoreOverride)
        .join(User, User.id == Response.user_id)
        .outerjoin(Team, Team.id == User.team_id)
        .outerjoin(lo, lo.c.response_id == Response.id)
        .outerjoin(ScoreOverride, ScoreOverride.id == lo.c.oid)
        .where(
            Response.user_id.in_(agents),
            Response.created_at >= since,
            Response.created_at < until,
        )
        .order_by(Response.created_at, Response.id)
        .limit(limit)
    )
    rows = []
    for r, name, username, team, ov in session.execute(q):
        qtype = (r.grade or {}).get("question_type", "")
        vlabels = {v.get("id"): v.get("label") for v in (r.grade or {}).get("violations", ())}
        rows.append(
            [
                name,
                username,
                team or "—",
                r.created_at,
                KIND_LABELS.get(r.kind, r.kind),
                QUESTION_TYPES.get(qtype, qtype),
                r.question_id,
                question_title(catalog, r.question_id, r.turn_id),
                response_text(r),
                r.score,
                r.max_score,
                "通过" if r.passed else "未通过",
                "、".join(vlabels.get(v) or v for v in (r.violation_ids or [])),
                ov.new_score if ov else None,
                ov.reason if ov else "",
            ]
        )
    return pd.DataFrame(rows, columns=ANSWER_EXPORT_COLUMNS)
