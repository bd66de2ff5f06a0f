"""Developer and user tooling for SchedLab (the `schedlab` command lives in tools.schedlab)."""
