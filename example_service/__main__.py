"""`python -m example_service`: serve Taskboard on http://127.0.0.1:$PORT (default 8000)."""

from __future__ import annotations

import os

from example_service import create_app


def main() -> None:
    """Start the development server on the loopback interface."""
    port = int(os.environ.get("PORT", "8000"))
    app = create_app()
    print(f"Taskboard is serving on http://127.0.0.1:{port}/v1/projects")
    app.run(host="127.0.0.1", port=port)


if __name__ == "__main__":
    main()
