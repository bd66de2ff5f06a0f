"""Finding the runs of a results directory and naming them, for the report and summary.csv.

Two layouts are read alike: results/<run>/<config>/<workload>/ (config = <sched>-<N>h, or
<sched>-<N>h-sim for the simulator's runs, issue 5;
repeated runs one level deeper in <workload>/rep<i>/) and results/<run>/<sched>/<workload>/
(the original). What a run *is* comes from its run.json
(scheduler, cpus, workload); the directory names are only a fallback. Free of numpy, so the
schedlab command can use it under any Python.

run.json's "state" says where a run is: running (started, no outcome yet: still going, or its
runner died), ok, failed or interrupted (Ctrl-C or SIGTERM stopped it). Only an ok run's
metrics.json is read: whatever another state left behind is not the run's result.
"""
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .timing_model import timing_model

_CONFIG_NAME = re.compile(r"^(?P<sched>.+)-(?P<harts>\d+)h(?P<sim>-sim)?$")
_REPEAT_NAME = re.compile(r"^rep\d+$")
_MACHINE_SUFFIX = re.compile(r"-\d+h(-sim)?$")


def read_json(path):
    """The JSON at path, or {} when the file is absent or unreadable (a run cut short)."""
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}


@dataclass
class Run:
    directory: Path
    scheduler: str
    harts: int
    workload: str
    run: dict = field(default_factory=dict)       # run.json
    metrics: dict = field(default_factory=dict)   # metrics.json ({} if none)

    @property
    def engine(self):
        """qemu or sim: run.json's, else the directory name's (-sim), else qemu."""
        if self.run.get("engine") or self.directory is None:
            return self.run.get("engine") or "qemu"
        parent = self.directory.parent
        if _REPEAT_NAME.match(self.directory.name):
            parent = parent.parent
        found = _CONFIG_NAME.match(parent.name)
        return "sim" if found and found.group("sim") else "qemu"

    @property
    def variant(self):
        """The configuration's name, the scheduler with the parameter values it was built with
        (rr, rr[timeslice_us=2000]; tools/schedlab/variants.py): run.json's, else the
        config less its machine, else the directory's, else the scheduler's."""
        if self.run.get("variant"):
            return self.run["variant"]
        if self.run.get("config"):  # recorded on its machine: the name less -<N>h[-sim]
            found = _MACHINE_SUFFIX.search(self.run["config"])
            return self.run["config"][:found.start()] if found else self.run["config"]
        found = _CONFIG_NAME.match(_workload_directory(self.directory).parent.name) \
            if self.directory is not None else None
        named = found.group("sched") if found else None
        return named if named and _base(named) == self.scheduler else self.scheduler

    @property
    def config(self):
        """The configuration on its machine in every table and legend (variants.config_name):
        <variant>-<harts>h, -sim for the simulator's runs. Built, not read from run.json, whose
        "config" named no engine before this was so. An opaque string: it may hold [ ] = ,."""
        return f"{self.variant}-{self.harts}h" + ("-sim" if self.engine == "sim" else "")

    @property
    def machine(self):
        """(engine, harts, timing model): runs are only compared on the same machine."""
        return (self.engine, self.harts, self.timing_model)

    @property
    def timing_model(self):
        """exact, shared-throughput or host-parallel (timing_model.py): run.json's, else
        metrics.json's (from the trace header), else from the harts and the recorded clock."""
        return (self.run.get("timing_model") or self.metrics.get("timing_model")
                or timing_model(self.harts, self.run.get("clock") == "realtime"))

    @property
    def placement(self):
        """engine.placement the run was given (spread or creator); None if unrecorded."""
        return self.run.get("placement")

    @property
    def state(self):
        """running, ok, failed or interrupted; runs from before run.json had a state: ok if
        they have metrics, else failed."""
        if self.run.get("state"):
            return self.run["state"]
        return "ok" if self.ok else "failed"

    @property
    def ok(self):
        return (self.run.get("state", "ok") == "ok" and bool(self.run.get("ok", True))
                and bool(self.metrics))


def _base(name):
    """rr for rr[timeslice_us=2000] (tools/schedlab/variants.scheduler_of)."""
    return name.partition("[")[0]


def _workload_directory(directory):
    """<config>/<workload>, above rep<i> for a repeated run."""
    directory = Path(directory)
    return directory.parent if _REPEAT_NAME.match(directory.name) else directory


def find_run_dirs(root):
    """Run directories under root (root included): those holding a run.json or trace.bin."""
    root = Path(root)
    candidates = [root, *(p for p in sorted(root.rglob("*")) if p.is_dir())]
    return [p for p in candidates if (p / "run.json").is_file() or (p / "trace.bin").is_file()]


def load_run(directory):
    directory = Path(directory)
    run = read_json(directory / "run.json")
    finished = run.get("state", "ok") == "ok"
    metrics = read_json(directory / "metrics.json") if finished else {}
    # Names from the directories, for runs whose run.json is missing.
    workload_dir = _workload_directory(directory)
    parent = _CONFIG_NAME.match(workload_dir.parent.name)
    scheduler = (run.get("scheduler") or metrics.get("scheduler")
                 or _base(parent.group("sched") if parent else workload_dir.parent.name))
    harts = (run.get("cpus") or metrics.get("trace_header", {}).get("nharts")
             or (int(parent.group("harts")) if parent else 1))
    return Run(directory, scheduler, int(harts), run.get("workload") or workload_dir.name,
               run, metrics)


def load_runs(root):
    """Every run under root, ordered by workload, harts, scheduler and repeat."""
    runs = [load_run(d) for d in find_run_dirs(root)]
    return sorted(runs, key=lambda r: (r.workload, r.harts, r.engine, r.variant,
                                       r.run.get("repeat") or 0,
                                       str(r.directory)))
