"""appeals, answer rollups and the manager board's indexes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:00:00

- ``appeals``: a trainee's request for a human look at a reply score (one per answer).
- ``answer_rollups``: per (agent, question) the number of answers, their summed score ratio,
  the last answer's time and the latest own answer (id, passed).  A trigger on ``responses``
  keeps it, in the same transaction as every insert (SQLite: a SQL trigger with an upsert;
  PostgreSQL: a PL/pgSQL trigger function).  Existing answers are rolled up here once.
  Answers are append-only (never updated or deleted), so insert is the only event.
- Indexes so the board reads indexes, never the wide rows with their JSON grades; partial
  indexes over the few answers with a violation and over reply / dialog answers.
"""

import sqlalchemy as sa
from alembic import op

import trainer.records.models

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC_DT = trainer.records.models.UTCDateTime(timezone=True)

# the upsert both dialects share (SQLite ≥ 3.24 and PostgreSQL spell it the same way)
UPSERT = """
INSERT INTO answer_rollups
    (user_id, question_id, answers, ratio_sum, last_at, last_id, last_passed, last_ratio)
VALUES (
    NEW.user_id, NEW.question_id, 1,
    CASE WHEN NEW.max_score > 0 THEN NEW.score / NEW.max_score ELSE 0.0 END,
    NEW.created_at,
    CASE WHEN NEW.turn_id IS NULL THEN NEW.id END,
    CASE WHEN NEW.turn_id IS NULL THEN NEW.passed END,
    CASE WHEN NEW.turn_id IS NULL THEN
        CASE WHEN NEW.max_score > 0 THEN NEW.score / NEW.max_score ELSE 0.0 END END
)
ON CONFLICT (user_id, question_id) DO UPDATE SET
    answers = answer_rollups.answers + 1,
    ratio_sum = answer_rollups.ratio_sum + excluded.ratio_sum,
    last_at = CASE WHEN excluded.last_at > answer_rollups.last_at
                   THEN excluded.last_at ELSE answer_rollups.last_at END,
    last_passed = CASE WHEN excluded.last_id IS NOT NULL
                            AND (answer_rollups.last_id IS NULL
                                 OR excluded.last_id > answer_rollups.last_id)
                       THEN excluded.last_passed ELSE answer_rollups.last_passed END,
    last_ratio = CASE WHEN excluded.last_id IS NOT NULL
                           AND (answer_rollups.last_id IS NULL
                                OR excluded.last_id > answer_rollups.last_id)
                      THEN excluded.last_ratio ELSE answer_rollups.last_ratio END,
    last_id = CASE WHEN excluded.last_id IS NOT NULL
                        AND (answer_rollups.last_id IS NULL
                             OR excluded.last_id > answer_rollups.last_id)
                   THEN excluded.last_id ELSE answer_rollups.last_id END
"""

BACKFILL = """
INSERT INTO answer_rollups (user_id, question_id, answers, ratio_sum, last_at, last_id)
SELECT user_id, question_id, count(*),
       sum(CASE WHEN max_score > 0 THEN score / max_score ELSE 0.0 END),
       max(created_at),
       max(CASE WHEN turn_id IS NULL THEN id END)
FROM responses GROUP BY user_id, question_id
"""
BACKFILL_PASSED = """
UPDATE answer_rollups SET
    last_passed = (SELECT passed FROM responses WHERE responses.id = answer_rollups.last_id),
    last_ratio = (SELECT CASE WHEN max_score > 0 THEN score / max_score ELSE 0.0 END
                  FROM responses WHERE responses.id = answer_rollups.last_id)
WHERE last_id IS NOT NULL
"""

# reply and dialog answers (their JSON grade says so): the review queue and the rubric hit
# rates read only these.  The predicate is spelled as each database's query spells it.
REPLY_PREDICATE = {
    "sqlite": "json_extract(grade, '$.question_type') IN ('reply', 'dialog')",
    "postgresql": "(grade ->> 'question_type') IN ('reply', 'dialog')",
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_DT, nullable=False),
        sa.Column("resolved_at", UTC_DT, nullable=True),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["resolved_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["response_id"], ["responses.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("response_id"),
    )
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeals_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appeals_resolved_at"), ["resolved_at"], unique=False)

    op.create_table(
        "answer_rollups",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=80), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("ratio_sum", sa.Float(), nullable=False),
        sa.Column("last_at", UTC_DT, nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=True),
        sa.Column("last_passed", sa.Boolean(), nullable=True),
        sa.Column("last_ratio", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("user_id", "question_id"),
        sqlite_with_rowid=False,  # SQLite: the primary key holds the row (covering)
    )
    with op.batch_alter_table("answer_rollups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_answer_rollups_question",
            ["question_id", "user_id", "last_passed", "last_id"],
            unique=False,
        )
    op.execute(BACKFILL)
    op.execute(BACKFILL_PASSED)
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_responses_activity",
            ["user_id", "created_at", "kind", "score", "max_score"],
            unique=False,
        )
        batch_op.create_index(
            "ix_responses_violations",
            ["user_id", "created_at"],
            unique=False,
            postgresql_include=["violation_ids"],
            sqlite_where=sa.text("violation_ids != '[]'"),
            postgresql_where=sa.text("violation_ids::text <> '[]'"),
        )
        batch_op.create_index(
            "ix_responses_replies",
            ["user_id", "created_at"],
            unique=False,
            sqlite_where=sa.text(REPLY_PREDICATE["sqlite"]),
            postgresql_where=sa.text(REPLY_PREDICATE["postgresql"]),
        )
    with op.batch_alter_table("review_cards", schema=None) as batch_op:
        batch_op.create_index("ix_review_cards_user_due", ["user_id", "due_at"], unique=False)
    with op.batch_alter_table("lesson_progress", schema=None) as batch_op:
        batch_op.create_index(
            "ix_lesson_progress_learned", ["lesson_id", "user_id", "learned_at"], unique=False
        )

    # last: nothing after this may recreate the responses table (SQLite batch mode would
    # drop the trigger with it)
    if dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION answer_rollup() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n{UPSERT};\nRETURN NULL;\nEND\n$$"
        )
        op.execute(
            "CREATE TRIGGER responses_rollup AFTER INSERT ON responses "
            "FOR EACH ROW EXECUTE FUNCTION answer_rollup()"
        )
    else:
        op.execute(
            f"CREATE TRIGGER responses_rollup AFTER INSERT ON responses BEGIN\n{UPSERT};\nEND"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("lesson_progress", schema=None) as batch_op:
        batch_op.drop_index("ix_lesson_progress_learned")
    with op.batch_alter_table("review_cards", schema=None) as batch_op:
        batch_op.drop_index("ix_review_cards_user_due")
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_index("ix_responses_replies")
        batch_op.drop_index("ix_responses_violations")
        batch_op.drop_index("ix_responses_activity")
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS responses_rollup ON responses")
        op.execute("DROP FUNCTION IF EXISTS answer_rollup()")
    else:
        op.execute("DROP TRIGGER IF EXISTS responses_rollup")
    with op.batch_alter_table("answer_rollups", schema=None) as batch_op:
        batch_op.drop_index("ix_answer_rollups_question")
    op.drop_table("answer_rollups")
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeals_resolved_at"))
        batch_op.drop_index(batch_op.f("ix_appeals_user_id"))
    op.drop_table("appeals")
