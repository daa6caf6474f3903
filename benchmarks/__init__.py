"""restkit's benchmarks, run with `make bench` (`python -m benchmarks`)."""
