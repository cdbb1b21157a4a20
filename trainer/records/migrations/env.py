"""Alembic environment: the engine comes from the caller (trainer.records.db.ensure_schema)."""

from alembic import context
from sqlalchemy import text

from trainer.records.models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # `alembic` run by hand: use the app's default database
    from trainer.records.db import make_engine

    engine = make_engine()

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # replicas starting together: one migrates, the others wait and find it done
            connection.execute(text("SELECT pg_advisory_xact_lock(727001)"))
        context.run_migrations()
    connection.commit()
