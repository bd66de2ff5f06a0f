"""A sweep file (JSON or TOML) and the grid of runs it names.

    # rr's timeslice on two workloads, three seeds each, on the simulator
    variants = ["rr", "mlfq[levels=4]"]    # configurations (variants.py)
    workloads = ["mixed", "interactive"]
    engines = ["sim"]                      # qemu and/or sim (default qemu)
    harts = [1]                            # default [1]
    seeds = [1, 2, 3]                      # or { from = 1, count = 3 } (default [1])
    metrics = ["wakeup_p99_ns"]            # headline figures the plots show (default: a few)

    [params]                               # scheduler parameter axes, as --set names them
    timeslice_us = [1000, 5000, 20000]     # a list, or { linear = [1000, 9000], count = 5 },
                                           # or { log = [1000, 100000], count = 3 }
    [workload_params]                      # workload parameter axes (boot arguments)
    "hog.count" = [1, 2, 4]

An axis applies to the configurations (workloads) that have its parameter, and multiplies only
them; an axis none of them has is refused, as is a configuration that fixes a parameter an axis
sweeps. The grid is every configuration x its parameter values x workload x its parameter values
x engine x harts x seed; workloads the simulator does not model are left out of its runs, saying
so. Ranges are integers (rounded; a range whose rounded values repeat is refused).
"""
import itertools
import json
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from analysis.headline import HEADLINE   # numpy-free

from . import UsageError
from .configs import find_parameter, split_workload_assignments
from .run import PLACEMENTS
from .variants import parse_variant, variant_name, with_settings

ENGINES = ("qemu", "sim")
MAX_HARTS = {"qemu": 8, "sim": 1024}
DEFAULT_METRICS = ("request_latency_p99_ns", "wakeup_p99_ns", "switches_per_s",
                   "turnaround_mean_ns")
KEYS = ("variants", "workloads", "engines", "harts", "seeds", "params", "workload_params",
        "metrics", "placement", "timeout")


@dataclass
class Point:
    """One run of the grid (before the content key, sweep.py): every input of the run."""
    variant: str         # the configuration's canonical name
    scheduler: str
    settings: dict       # {CMAKE_VARIABLE: value} of the configuration
    workload: str
    params: list         # workload k=v boot arguments, sorted
    engine: str
    harts: int
    seed: int
    axes: dict = field(default_factory=dict)   # swept axis -> this run's value (plots, CSV)
    series: dict = field(default_factory=dict)  # axis -> the line it is on in that axis's plots


@dataclass
class Sweep:
    name: str
    points: list
    axes: dict           # axis name -> its values (scheduler and workload parameters, harts)
    metrics: list
    placement: str
    timeout: float
    notes: list = field(default_factory=list)   # what was left out, and why


def load_spec(path):
    """The sweep file as a dict: .toml through tomllib, anything else as JSON."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as error:
        raise UsageError(f"sweep: cannot read {path}: {error.strerror}") from None
    try:
        spec = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, ValueError) as error:
        kind = "TOML" if path.suffix == ".toml" else "JSON (a .toml file is read as TOML)"
        raise UsageError(f"sweep: {path} is not valid {kind}: {error}") from None
    if not isinstance(spec, dict):
        raise UsageError(f"sweep: {path}: expected an object (a table) of axes")
    unknown = sorted(set(spec) - set(KEYS))
    if unknown:
        raise UsageError(f"sweep: {path}: unknown key {', '.join(unknown)}; valid: "
                         f"{', '.join(KEYS)}")
    return spec


def _integers(what, value):
    """An axis's values: a list, or {linear|log = [low, high], count = n}, or {from, count}."""
    if isinstance(value, list) and value and all(_is_integer(v) for v in value):
        values = [int(v) for v in value]
    elif isinstance(value, dict) and set(value) in ({"linear", "count"}, {"log", "count"}):
        kind = "linear" if "linear" in value else "log"
        values = _range(what, kind, value[kind], value["count"])
    elif isinstance(value, dict) and set(value) == {"from", "count"} and \
            _is_integer(value["from"]) and _is_integer(value["count"]) and value["count"] >= 1:
        values = list(range(value["from"], value["from"] + value["count"]))
    else:
        raise UsageError(f"sweep: {what}: expected a list of integers, {{linear = [low, high], "
                         f"count = n}}, {{log = [low, high], count = n}} or {{from = first, "
                         f"count = n}}; got {json.dumps(value)}")
    if len(set(values)) != len(values):
        raise UsageError(f"sweep: {what}: the values {values} repeat")
    return values


def _is_integer(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _range(what, kind, bounds, count):
    if not (isinstance(bounds, list) and len(bounds) == 2 and all(_is_integer(b) for b in bounds)
            and _is_integer(count) and count >= 2 and bounds[0] < bounds[1]
            and (kind == "linear" or bounds[0] > 0)):
        raise UsageError(f"sweep: {what}: {kind} = [low, high] needs integers low < high"
                         f"{' and low > 0' if kind == 'log' else ''}, and count >= 2")
    low, high = bounds
    if kind == "linear":
        return [round(low + (high - low) * i / (count - 1)) for i in range(count)]
    ratio = math.log(high / low)
    return [round(low * math.exp(ratio * i / (count - 1))) for i in range(count)]


def _strings(what, value, valid):
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise UsageError(f"sweep: {what}: expected a list of names; valid: {', '.join(valid)}")
    return list(dict.fromkeys(value))


def _configurations(spec, schedulers):
    """[(name, scheduler, settings, axes)] for every configuration x its parameter values."""
    variants = [parse_variant(text, schedulers, flag="sweep: variants")
                for text in _strings("variants", spec.get("variants"), schedulers)]
    axes = {key: _integers(f"params.{key}", values)
            for key, values in _table("params", spec).items()}
    for key in axes:
        if not any(find_parameter(schedulers[base], key) for _, base, _ in variants):
            valid = sorted({f"{base}.{p.name(base)}" for _, base, _ in variants
                            for p in schedulers[base].parameters.values()})
            raise UsageError(f"sweep: params.{key}: no configuration of the sweep has it; "
                             f"valid: {', '.join(valid) or '(none)'}")
    chosen = {}
    for name, base, settings in variants:
        scheduler = schedulers[base]
        mine = {key: find_parameter(scheduler, key) for key in axes
                if find_parameter(scheduler, key)}
        for values in itertools.product(*(axes[key] for key in mine)):
            extra = {mine[key].variable: str(value) for key, value in zip(mine, values)}
            _check_ranges(scheduler, mine, values)
            merged_name, merged = with_settings(name, scheduler, settings, extra,
                                                flag="sweep: params")
            point_axes = {key: value for key, value in zip(mine, values)}
            # On a plot against one parameter, a configuration's line is its name without it.
            series = {key: variant_name(scheduler, {v: x for v, x in merged.items()
                                                    if v != mine[key].variable})
                      for key in mine}
            chosen.setdefault(merged_name, (merged_name, base, merged, point_axes, series))
    return list(chosen.values()), axes


def _check_ranges(scheduler, parameters, values):
    for (key, parameter), value in zip(parameters.items(), values):
        if parameter.range and not parameter.range[0] <= value <= parameter.range[1]:
            raise UsageError(f"sweep: params.{key}: {value} is out of range for "
                             f"{scheduler.name}: valid values are "
                             f"{parameter.range[0]}..{parameter.range[1]}")


def _table(key, spec):
    table = spec.get(key, {})
    if not isinstance(table, dict):
        raise UsageError(f"sweep: {key}: expected a table of parameter = values")
    return table


def _workload_points(spec, workloads):
    """[(workload, sorted k=v params, axes)] for every workload x its parameter values."""
    names = _strings("workloads", spec.get("workloads"), workloads)
    for name in names:
        if name not in workloads:
            raise UsageError(f"sweep: workloads: unknown workload '{name}'; valid: "
                             f"{', '.join(workloads)}")
    axes = {key: _integers(f"workload_params.{key}", values)
            for key, values in _table("workload_params", spec).items()}
    for key in axes:
        if not any(key in workloads[name].parameters for name in names):
            raise UsageError(f"sweep: workload_params.{key}: no workload of the sweep has it; "
                             "see ./schedlab list for each workload's parameters")
    points = []
    for name in names:
        mine = [key for key in axes if key in workloads[name].parameters]
        for values in itertools.product(*(axes[key] for key in mine)):
            boot, _ = split_workload_assignments(
                workloads[name], [f"{key}={value}" for key, value in zip(mine, values)])
            points.append((name, sorted(boot), dict(zip(mine, values))))
    return points, axes


def _machines(spec):
    engines = _strings("engines", spec.get("engines", ["qemu"]), ENGINES)
    for engine in engines:
        if engine not in ENGINES:
            raise UsageError(f"sweep: engines: unknown engine '{engine}'; valid: "
                             f"{', '.join(ENGINES)}")
    harts = _integers("harts", spec.get("harts", [1]))
    for engine in engines:
        for count in harts:
            if not 1 <= count <= MAX_HARTS[engine]:
                raise UsageError(f"sweep: harts: {count} on {engine}: valid 1.."
                                 f"{MAX_HARTS[engine]}")
    return engines, harts


def expand(spec, schedulers, workloads, name, not_modelled=lambda workload: None):
    """The Sweep a spec (load_spec's dict) names. not_modelled(workload) says why the
    simulator cannot run a workload (None: it can)."""
    configurations, scheduler_axes = _configurations(spec, schedulers)
    workload_points, workload_axes = _workload_points(spec, workloads)
    engines, harts = _machines(spec)
    seeds = _integers("seeds", spec.get("seeds", [1]))
    if any(seed < 0 for seed in seeds):
        raise UsageError(f"sweep: seeds: {seeds}: valid: integers >= 0")
    placement = spec.get("placement", PLACEMENTS[0])
    if placement not in PLACEMENTS:
        raise UsageError(f"sweep: placement: '{placement}'; valid: {', '.join(PLACEMENTS)}")
    timeout = spec.get("timeout", 120)
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
        raise UsageError(f"sweep: timeout: {timeout!r}; valid: seconds > 0")
    headline = [key for key, *_ in HEADLINE]
    metrics = _strings("metrics", spec.get("metrics", list(DEFAULT_METRICS)), headline)
    for metric in metrics:
        if metric not in headline:
            raise UsageError(f"sweep: metrics: unknown figure '{metric}'; valid: "
                             f"{', '.join(headline)}")
    notes, points = [], []
    skipped = {workload: not_modelled(workload) for workload, _, _ in workload_points
               if "sim" in engines}
    for workload, why in skipped.items():
        if why:
            notes.append(f"sweep: {workload} left out of the simulator's runs: {why}")
    for engine in engines:
        for count in harts:
            for variant, base, settings, config_axes, series in configurations:
                for workload, params, params_axes in workload_points:
                    if engine == "sim" and skipped.get(workload):
                        continue
                    for seed in seeds:
                        axes = dict(config_axes, **params_axes)
                        if len(harts) > 1:
                            axes["harts"] = count
                        points.append(Point(variant, base, dict(settings), workload, params,
                                            engine, count, seed, axes, dict(series)))
    if not points:
        raise UsageError("sweep: the grid is empty (see the notes above)")
    axes = dict(scheduler_axes, **workload_axes)
    if len(harts) > 1:
        axes["harts"] = harts
    return Sweep(name, points, axes, metrics, placement, float(timeout), notes)
