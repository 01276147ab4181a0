"""The load profile: `make load` (python -m bench.load). See the README's *Load* section."""
