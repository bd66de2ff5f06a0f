"""Configurations: a scheduler and its parameter values, and the one name each has.

A configuration is written SCHED or SCHED[key=value,...], e.g. rr, rr[timeslice_us=2000],
mlfq[levels=4,timeslice_us=1000]. Its canonical name -- the one in directory names, run.json,
summary.csv, legends and the report -- is made here and nowhere else:

- keys are the parameter's name within its scheduler (timeslice_us; levels for mlfq's
  SCHED_MLFQ_LEVELS; the machine's cache_model), sorted;
- values are canonical: integers without sign or leading zeros, ON / OFF in capitals;
- a value equal to the config's default is left out, so rr[timeslice_us=10000] *is* rr: one
  configuration has one name and one build directory, and a sweep over a range that holds the
  default meets the plain scheduler's runs.

Two spellings of one configuration are one configuration: a list that names it twice runs it
once, and says so.
"""
from . import UsageError
from .configs import find_parameter, resolve_settings


def split_top_level(text):
    """'rr,rr[a=1,b=2],mlfq' -> ['rr', 'rr[a=1,b=2]', 'mlfq']: commas inside [...] belong to
    the configuration."""
    parts, depth, current = [], 0, ""
    for character in text:
        depth += {"[": 1, "]": -1}.get(character, 0)
        if character == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += character
    parts.append(current)
    return [part.strip() for part in parts if part.strip()]


def scheduler_of(name):
    """rr for rr[timeslice_us=2000] (and for rr)."""
    return name.partition("[")[0]


def canonical_settings(scheduler, settings):
    """{CMAKE_VARIABLE: canonical value}, without the values equal to the config's defaults."""
    defaults = {p.variable: canonical_value(p.default) for p in scheduler.all_parameters()}
    canonical = {variable: canonical_value(value) for variable, value in sorted(settings.items())}
    return {variable: value for variable, value in canonical.items()
            if value != defaults.get(variable)}


def canonical_value(value):
    value = str(value).strip()
    if value.isdigit():
        return str(int(value))
    return value.upper() if value.upper() in ("ON", "OFF") else value


def variant_name(scheduler, settings):
    """The canonical name of `scheduler` (configs.Scheduler) built with `settings`."""
    by_variable = {p.variable: p for p in scheduler.all_parameters()}
    pairs = sorted(f"{by_variable[variable].name(scheduler.name)}={value}"
                   for variable, value in canonical_settings(scheduler, settings).items())
    return f"{scheduler.name}[{','.join(pairs)}]" if pairs else scheduler.name


def parse_variant(text, schedulers, flag="--scheds"):
    """'rr[timeslice_us=2000]' -> (canonical name, scheduler name, {CMAKE_VARIABLE: value}),
    each parameter checked as --set checks it (name, range, ON/OFF)."""
    base, bracket, rest = text.strip().partition("[")
    base = base.strip()
    if base not in schedulers:
        where = f" in '{text.strip()}'" if bracket else ""
        raise UsageError(f"{flag}: unknown scheduler '{base}'{where}; valid: "
                         f"{', '.join(schedulers) or '(none found)'}")
    if bracket and not rest.endswith("]"):
        raise UsageError(f"{flag}: '{text}': expected SCHED[key=value,...] with a closing ']'")
    assignments = ["=".join(side.strip() for side in part.partition("=")[::2]) if "=" in part
                   else part for part in (split_top_level(rest[:-1]) if bracket else [])]
    if bracket and not assignments:
        raise UsageError(f"{flag}: '{text}': no key=value between the brackets")
    scheduler = schedulers[base]
    seen = set()
    for assignment in assignments:
        parameter = find_parameter(scheduler, assignment.partition("=")[0])
        if parameter is not None and parameter.variable in seen:
            raise UsageError(f"{flag}: '{text}' sets {parameter.name(base)} twice")
        seen.add(parameter.variable if parameter else assignment)
    settings = canonical_settings(scheduler, resolve_settings(scheduler, assignments,
                                                              flag=f"{flag}: {text.strip()}"))
    return variant_name(scheduler, settings), base, settings


def with_settings(name, scheduler, settings, extra, flag="--set"):
    """The configuration `name` (of `scheduler`, with `settings`) with `extra` settings on top
    (--set, a sweep's parameter axes): -> (new name, settings). A parameter the configuration
    names itself with another value is refused: the two would disagree."""
    for variable, value in extra.items():
        own = settings.get(variable)
        if own is not None and own != canonical_value(value):
            key = next(p.name(scheduler.name) for p in scheduler.all_parameters()
                       if p.variable == variable)
            raise UsageError(f"{flag}: {key}={value} disagrees with the configuration {name}, "
                             f"which sets {key}={own}; give the value in one place")
    merged = canonical_settings(scheduler, dict(settings, **extra))
    return variant_name(scheduler, merged), merged


def parse_variants(text, schedulers, flag="--scheds", report=None):
    """A comma-separated list of configurations -> [(name, scheduler, settings)], each once:
    a repeated configuration is dropped, with a line to `report` saying so."""
    chosen = {}
    for part in split_top_level(text):
        name, base, settings = parse_variant(part, schedulers, flag)
        if name in chosen:
            if report:
                report(f"{flag}: '{part}' is the configuration {name}, already listed: "
                       "run once")
            continue
        chosen[name] = (name, base, settings)
    if not chosen:
        raise UsageError(f"{flag}: no configuration in '{text}'; valid schedulers: "
                         f"{', '.join(schedulers) or '(none found)'}")
    return list(chosen.values())


def config_name(variant, cpus, engine="qemu"):
    """A configuration on a machine: rr-4h on QEMU, rr[timeslice_us=2000]-4h-sim on the
    simulator: its results directory, run.json's "config", summary.csv's and the report's name
    (analysis/results.py reads it back)."""
    return f"{variant}-{cpus}h" + ("-sim" if engine == "sim" else "")
