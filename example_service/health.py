"""`GET /healthz`: whether the service can serve requests, for load balancers and monitors."""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from example_service.models import db
from example_service.schemas import HealthSchema
from restkit import Blueprint, Resource, operation
from restkit.problems import ServiceUnavailable

_LOG = logging.getLogger(__name__)

health = Blueprint("health", description="Health checks.")


@health.route("/healthz")
class Health(Resource):
    """The service's health."""

    @operation(
        response=HealthSchema,
        problems=[ServiceUnavailable],
        operation_id="getHealth",
        auth=False,
        rate_limit=False,
    )
    def get(self) -> dict[str, str]:
        """Check that the database answers; 503 when it does not."""
        try:
            db.session.execute(text("SELECT 1"))
        except SQLAlchemyError:
            _LOG.warning("The database does not answer the health check.", exc_info=True)
            raise ServiceUnavailable(
                "The database does not answer.", headers=[("Retry-After", "5")]
            ) from None
        return {"status": "ok"}
