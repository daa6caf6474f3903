"""The demo account `make run` prints: a user with a few projects and tasks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from example_service.models import Priority, Project, Task, User, db, utcnow

DEMO_EMAIL = "demo@taskboard.example"
DEMO_PASSWORD = "taskboard-demo"


def seed_demo_data() -> None:
    """Add the demo user and their projects when the database has no user yet."""
    if db.session.scalar(select(func.count()).select_from(User)):
        return
    user = User(
        email=DEMO_EMAIL,
        password_hash=generate_password_hash(DEMO_PASSWORD),
        display_name="Demo User",
    )
    today = utcnow().replace(hour=17, minute=0, second=0, microsecond=0)
    groceries = Project(owner=user, name="Groceries", color="#2e7d32")
    groceries.tasks = [
        Task(title="Milk", tags=["dairy"], priority=Priority.high),
        Task(title="Bread", done=True),
        Task(title="Tomatoes", notes="The small ones.", due_at=today + dt.timedelta(days=1)),
    ]
    work = Project(owner=user, name="Work", color="#1565c0")
    work.tasks = [
        Task(
            title="Write the release notes",
            priority=Priority.high,
            tags=["writing", "release"],
            due_at=today + dt.timedelta(days=2),
        ),
        Task(title="Review the roadmap", priority=Priority.low, tags=["planning"]),
    ]
    db.session.add_all([user, groceries, work])
    try:
        db.session.commit()
    except IntegrityError:  # another worker, starting at the same time, added it first
        db.session.rollback()
