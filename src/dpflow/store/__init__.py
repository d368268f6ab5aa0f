"""Persistence: SQLAlchemy 2 async models, the unit of work, Alembic migrations."""
