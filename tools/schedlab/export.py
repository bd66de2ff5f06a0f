"""`schedlab export --perfetto DIR [RESULTS]`: every run's trace as Perfetto/Chrome JSON.

RESULTS is a run directory or a whole results/<run> directory (default: the newest under
results/). Each trace.bin becomes DIR/<path of its run below RESULTS, joined by '-'>.json
(rr-mixed.json, or rr-4h-mixed.json), written by `python3 -m analysis perfetto`.
"""
import re
import subprocess
from pathlib import Path

from analysis.results import find_run_dirs

from . import PYTHON, SchedlabError, shown


# results/<prefix><YYYYmmdd-HHMMSS>[-N] (run.new_results_directory): -N counts commands that
# started in the same second, so it orders as a number (-10 after -9), not as text
_STAMPED = re.compile(r"(\d{8}-\d{6})(?:-(\d+))?$")


def _age_order(path):
    """Sort key: by timestamp, then by the same second's -N (none = 1); unstamped names first."""
    match = _STAMPED.search(path.name)
    if not match:
        return ("", 0, path.name)
    return (match.group(1), int(match.group(2) or 1), path.name)


def newest_results(repo):
    runs = sorted((p for p in (Path(repo) / "results").glob("*") if p.is_dir()), key=_age_order)
    if not runs:
        raise SchedlabError("export: no results/ yet; run ./schedlab run or compare first, "
                            "or name a results directory")
    return runs[-1]


def export_perfetto(repo, out, source=None):
    """Write one JSON per traced run under source into out; returns True if all succeeded."""
    source = Path(source or newest_results(repo)).resolve()
    traced = [d for d in find_run_dirs(source) if (d / "trace.bin").is_file()]
    if not traced:
        raise SchedlabError(f"export: no trace.bin under {shown(source)}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for run_dir in traced:
        parts = run_dir.relative_to(source).parts or run_dir.parts[-2:]
        target = (out / ("-".join(parts) + ".json")).resolve()
        result = subprocess.run([PYTHON, "-m", "analysis", "perfetto", "--partial",
                                 str(run_dir / "trace.bin"), str(target)],
                                cwd=repo, capture_output=True, text=True)
        if result.returncode == 0:
            print(f"export: {shown(target)}", flush=True)
        else:
            failed += 1
            print(f"export: {shown(run_dir)} FAILED: {result.stderr.strip()}", flush=True)
    print("open the files at https://ui.perfetto.dev or chrome://tracing", flush=True)
    return failed == 0
