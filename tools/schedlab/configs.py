"""Discovering schedulers (configs/<name>.cmake) and workloads (workloads/<name>/).

The tree is the catalogue: adding a scheduler or a workload means adding its file or
directory, never editing this tool (DESIGN §4.1).
"""
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import UsageError
from .workload_spec import MAX_VALUE, SpecError, discover_specs, load_spec, value_range


@dataclass
class Parameter:
    variable: str          # the CMake cache variable, e.g. SCHED_TIMESLICE_US
    default: str
    doc: str = ""
    range: tuple = None    # (min, max) from the config's schedlab_check_range, if any

    @property
    def key(self):
        """The plain --set key: timeslice_us for SCHED_TIMESLICE_US, mlfq_levels for
        SCHED_MLFQ_LEVELS, cache_model for the machine's SCHEDLAB_CACHE_MODEL."""
        return self.variable.lower().removeprefix("sched_").removeprefix("schedlab_")

    @property
    def is_bool(self):
        return self.default.upper() in BOOL_VALUES

    def name(self, scheduler):
        """The parameter's name within its scheduler: levels for SCHED_MLFQ_LEVELS in mlfq
        (typed as mlfq.levels), timeslice_us for SCHED_TIMESLICE_US."""
        return self.key.removeprefix(scheduler.lower() + "_")


BOOL_VALUES = ("ON", "OFF")


@dataclass
class Scheduler:
    name: str
    description: str
    path: Path
    parameters: dict = field(default_factory=dict)   # variable -> Parameter
    machine: dict = field(default_factory=dict)      # cmake/machine.cmake: variable -> Parameter

    def all_parameters(self):
        return [*self.parameters.values(), *self.machine.values()]


@dataclass
class Workload:
    name: str
    description: str
    path: Path
    parameters: dict = field(default_factory=dict)   # boot-argument key -> default
    docs: dict = field(default_factory=dict)         # boot-argument key -> (doc, (low, high))


# The argument list may span lines and its quoted doc string may hold ")" itself.
_SET_CALL = re.compile(r'^\s*set\s*\(((?:"(?:[^"\\]|\\.)*"|[^")])*)\)',
                       re.IGNORECASE | re.MULTILINE)
_CHECK_RANGE = re.compile(r'^\s*schedlab_check_range\s*\(\s*(\w+)\s+(\d+)\s+(\d+)\s*\)',
                          re.IGNORECASE | re.MULTILINE)
_CMAKE_ARGUMENT = re.compile(r'"((?:[^"\\]|\\.)*)"|([^\s"]+)')


def _cmake_arguments(text):
    return [m.group(1) if m.group(1) is not None else m.group(2)
            for m in _CMAKE_ARGUMENT.finditer(text)]


def parse_scheduler(path):
    """Read a config's description (first `# ...` line) and its set(...) parameters."""
    text = Path(path).read_text()
    first_line = text.splitlines()[0] if text else ""
    description = first_line.lstrip("#").strip() if first_line.startswith("#") else ""
    parameters = {}
    for match in _SET_CALL.finditer(text):
        arguments = _cmake_arguments(match.group(1))
        if len(arguments) < 2:
            continue
        variable, default = arguments[0], arguments[1]
        doc = ""
        if "CACHE" in arguments[2:]:
            after_cache = arguments[arguments.index("CACHE", 2) + 1:]
            doc = after_cache[1] if len(after_cache) > 1 else ""
        parameters[variable] = Parameter(variable, default, doc)
    for match in _CHECK_RANGE.finditer(text):
        if match.group(1) in parameters:
            parameters[match.group(1)].range = (int(match.group(2)), int(match.group(3)))
    parameters.pop("SCHED_POLICY", None)   # which source file: not a parameter to override
    return Scheduler(Path(path).stem, description, Path(path), parameters)


def machine_parameters(repo):
    """The modelled machine's parameters (cmake/machine.cmake), valid under every scheduler."""
    path = Path(repo) / "cmake" / "machine.cmake"
    return parse_scheduler(path).parameters if path.is_file() else {}


def discover_schedulers(repo):
    machine = machine_parameters(repo)
    schedulers = {}
    for path in sorted((Path(repo) / "configs").glob("*.cmake")):
        scheduler = parse_scheduler(path)
        scheduler.machine = machine
        schedulers[path.stem] = scheduler
    return schedulers


def _spec_workload(name, path):
    """A spec's catalogue entry; a broken spec is still listed, so the build names its error."""
    try:
        spec = load_spec(path)
    except SpecError as error:
        return Workload(name, f"(invalid spec: {error})", path)
    return Workload(name, spec.description, path,
                    {value.key: value.default for value in spec.values},
                    {value.key: (value.doc, value_range(value)) for value in spec.values})


# workloads/engine/ holds the interpreter every spec is linked with, not a workload.
ENGINE_DIRECTORY = "engine"


def discover_workloads(repo):
    """Spec workloads (workloads/<name>.json, workloads/<name>/spec.json) and hand-written
    root tasks (workloads/<name>/ with C sources, described by the first line of its README)."""
    workloads = {name: _spec_workload(name, path)
                 for name, path in discover_specs(repo).items()}
    root = Path(repo) / "workloads"
    if not root.is_dir():
        return workloads
    for directory in sorted(p for p in root.iterdir() if p.is_dir()):
        readme = directory / "README"
        if directory.name in workloads or directory.name == ENGINE_DIRECTORY:
            continue
        if not readme.is_file() and not any(directory.glob("*.c")):
            continue
        description = ""
        if readme.is_file():
            lines = readme.read_text().splitlines()
            description = lines[0].strip() if lines else ""
        workloads[directory.name] = Workload(directory.name, description, directory)
    return dict(sorted(workloads.items()))


def cmake_variable(key):
    """--set key to CMake variable: timeslice_us -> SCHED_TIMESLICE_US, a.b -> SCHED_A_B."""
    variable = key.strip().upper().replace(".", "_")
    return variable if variable.startswith("SCHED_") else "SCHED_" + variable


def find_parameter(scheduler, key):
    """The parameter a --set key names: <scheduler>.<name> (mlfq.levels), the plain key
    (timeslice_us, mlfq_levels) or the CMake variable; None if the config has no such one."""
    wanted = key.strip().lower()
    scheduler_name, dot, name = wanted.partition(".")
    if dot:
        if scheduler_name != scheduler.name.lower():
            return None
        wanted = name
    for parameter in scheduler.all_parameters():
        if wanted in (parameter.name(scheduler.name), parameter.key, parameter.variable.lower()):
            return parameter
    return None


def _check_integer(key, value, valid_range, flag):
    """An integer parameter's value must be written as one: 1e3 or 2.5 is refused, not
    passed to CMake (which would take it as text)."""
    if not value.isdigit():
        valid = "{}..{}".format(*valid_range) if valid_range else "an integer >= 0"
        raise UsageError(f"{flag}: {key}={value}: not an integer; valid values are {valid}")


def resolve_settings(scheduler, assignments, flag="--set"):
    """Turn --set k=v strings into {CMAKE_VARIABLE: value}, refusing keys the config lacks and
    values outside the config's range (before CMake would); errors name `flag`."""
    settings = {}
    for assignment in assignments:
        key, separator, value = assignment.partition("=")
        if not separator or not key.strip() or not value:
            raise UsageError(f"{flag}: expected key=value, got '{assignment}'")
        parameter = find_parameter(scheduler, key)
        if parameter is None:
            valid = ", ".join([f"{scheduler.name}.{p.name(scheduler.name)}"
                               for p in scheduler.parameters.values()]
                              + [p.key for p in scheduler.machine.values()]) or "(none)"
            raise UsageError(f"{flag}: unknown parameter '{key}' for scheduler "
                             f"{scheduler.name}; valid: {valid}")
        if parameter.range or parameter.default.isdigit():
            _check_integer(key, value, parameter.range, flag)
        if parameter.range:
            low, high = parameter.range
            if not low <= int(value) <= high:
                raise UsageError(f"{flag}: {key}={value} is out of range: valid values are "
                                 f"{low}..{high}")
        if parameter.is_bool:
            if value.upper() not in BOOL_VALUES:
                raise UsageError(f"{flag}: {key}={value}: valid values are ON, OFF")
            value = value.upper()
        settings[parameter.variable] = value
    return settings


def split_workload_assignments(workload, assignments):
    """--set k=v: keys naming a parameter of `workload` become boot arguments (no rebuild);
    the rest stay scheduler settings. Returns (boot k=v list, remaining assignments)."""
    boot, rest = [], []
    for assignment in assignments:
        key, _, value = assignment.partition("=")
        if key.strip() not in workload.parameters:
            rest.append(assignment)
        elif not value.isdigit():
            raise UsageError(f"--set: {key.strip()}={value}: not an integer; workload "
                             f"parameter '{key.strip()}' takes an integer >= 0")
        else:
            boot.append(f"{key.strip()}={value}")
    return boot, rest


def split_compare_assignments(schedulers, workloads, assignments):
    """--set k=v for `compare`, which runs several schedulers and workloads: a key goes to
    every compared workload that has it (boot arguments) and to every compared scheduler that
    has it (the build), the same dispatch as `run`. A key none of them has is an error.
    Returns ({scheduler: {CMAKE_VARIABLE: value}}, {workload: [k=v]})."""
    settings = {scheduler.name: {} for scheduler in schedulers}
    boot = {workload.name: [] for workload in workloads}
    for assignment in assignments:
        key, separator, value = assignment.partition("=")
        if not separator or not key.strip() or not value:
            raise UsageError(f"--set: expected key=value, got '{assignment}'")
        used = False
        for workload in workloads:
            workload_boot, _ = split_workload_assignments(workload, [assignment])
            boot[workload.name] += workload_boot
            used = used or bool(workload_boot)
        for scheduler in schedulers:
            if find_parameter(scheduler, key) is not None:
                settings[scheduler.name].update(resolve_settings(scheduler, [assignment]))
                used = True
        if not used:
            valid = ", ".join(f"{scheduler.name}.{parameter.name(scheduler.name)}"
                              for scheduler in schedulers
                              for parameter in scheduler.parameters.values()) or "(none)"
            raise UsageError(f"--set: unknown parameter '{key}' for the compared schedulers "
                             f"and workloads; scheduler parameters: {valid}; workload "
                             f"parameters: see ./schedlab list")
    return settings, boot


def settings_suffix(settings):
    """A short stable hash of the settings, so each variant gets its own build directory."""
    canonical = "\n".join(f"{variable}={settings[variable]}" for variable in sorted(settings))
    return hashlib.sha1(canonical.encode()).hexdigest()[:8]


def _parameter_line(key, parameter):
    valid, doc = "", parameter.doc
    if parameter.range:
        valid = "  [{}..{}]".format(*parameter.range)
        doc = doc.replace(valid.strip(), "").replace("  ", " ").strip(" ;")
    doc = f"  {doc}" if doc else ""
    return f"      {key} = {parameter.default}{valid}{doc}"


def _workload_parameter_line(key, default, doc, valid):
    """'      batch.priority = 100  [0..254]  seL4 priority 0..255': range, then what it sets."""
    shown = "" if valid is None else (f"  [>= {valid[0]}]" if valid[1] == MAX_VALUE
                                      else "  [{}..{}]".format(*valid))
    return f"      {key} = {default}{shown}{f'  {doc}' if doc else ''}"


def format_catalogue(schedulers, workloads):
    lines = ["Schedulers (./schedlab run --sched NAME [--set key=value]):"]
    for scheduler in schedulers.values():
        lines.append(f"  {scheduler.name:<12} {scheduler.description}")
        for parameter in scheduler.parameters.values():
            lines.append(_parameter_line(f"{scheduler.name}.{parameter.name(scheduler.name)}",
                                         parameter))
    if not schedulers:
        lines.append("  (none: configs/*.cmake not found)")
    machine = next(iter(schedulers.values())).machine if schedulers else {}
    if machine:
        lines.append("")
        lines.append("Machine model, under every scheduler (--set key=value):")
        for parameter in machine.values():
            lines.append(_parameter_line(parameter.key, parameter))
    lines.append("")
    lines.append("Workloads (./schedlab run --workload NAME [--set key=value]):")
    for workload in workloads.values():
        lines.append(f"  {workload.name:<12} {workload.description}".rstrip())
        for key, default in workload.parameters.items():
            lines.append(_workload_parameter_line(key, default, *workload.docs.get(key, ("", None))))
    if not workloads:
        lines.append("  (none: no workloads/*.json or workloads/<name>/main.c)")
    return "\n".join(lines)
