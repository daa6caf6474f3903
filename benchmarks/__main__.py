"""`python -m benchmarks [--quick]`: run every benchmark and print its table."""

from __future__ import annotations

import sys

from benchmarks import locations


def main() -> None:
    """Run the benchmarks; `--quick` runs each briefly, to check that they still work."""
    quick = "--quick" in sys.argv[1:]
    print("## Reading request locations\n")
    locations.main(quick)


if __name__ == "__main__":
    main()
