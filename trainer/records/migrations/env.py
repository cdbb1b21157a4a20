"""Alembic environment: the engine comes from the caller (trainer.records.db.ensure_schema)."""

from alembic import context

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
        context.run_migrations()
    connection.commit()
