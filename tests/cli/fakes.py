"""Stand-ins the CLI tests share: a source tree with one scheduler config and the workloads a
test names, and a clock a test moves by hand."""
import json

RR_CONFIG = """\
# rr: round robin
set(SCHED_POLICY rr CACHE STRING "")
set(SCHED_TIMESLICE_US 10000 CACHE STRING "timeslice in microseconds")
schedlab_check_range(SCHED_TIMESLICE_US 100 1000000)
"""


def make_tree(root, specs=None, hand_written=()):
    """configs/rr.cmake, workloads/<name>.json for each of `specs` ({name: spec dict}) and
    workloads/<name>/main.c for each `hand_written` name, under root; returns root."""
    (root / "configs").mkdir()
    (root / "configs" / "rr.cmake").write_text(RR_CONFIG)
    (root / "workloads").mkdir()
    for name, spec in (specs or {}).items():
        (root / "workloads" / f"{name}.json").write_text(json.dumps(spec))
    for name in hand_written:
        (root / "workloads" / name).mkdir()
        (root / "workloads" / name / "main.c").write_text("int main(void) { return 0; }\n")
    return root


class FakeClock:
    """time.monotonic for a test: `now` is whatever the test sets."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now
