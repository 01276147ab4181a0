"""The load profile: `make load` (python -m bench.load). See docs/performance.md#load."""
