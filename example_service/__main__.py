"""`python -m example_service`: serve Taskboard on http://127.0.0.1:$PORT (default 8000).

The development server, with the demo account in an empty database. Use gunicorn in
production (see docs/deployment.md).
"""

from __future__ import annotations

import os

from example_service import create_app
from example_service.demo import DEMO_EMAIL, DEMO_PASSWORD


def main() -> None:
    """Start the development server on the loopback interface, with demo data."""
    port = int(os.environ.get("PORT", "8000"))
    app = create_app({"TASKBOARD_DEMO_DATA": True})
    base = f"http://127.0.0.1:{port}"
    print(f"Taskboard is serving on {base}/v1 (Swagger UI: {base}/docs)", flush=True)
    print(f"Demo account: {DEMO_EMAIL} / {DEMO_PASSWORD}", flush=True)
    app.run(host="127.0.0.1", port=port)


if __name__ == "__main__":
    main()
