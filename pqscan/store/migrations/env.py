"""Alembic environment for pqscan's store: always run programmatically with a live connection."""

from alembic import context

from pqscan.store.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
