"""Discovering schedulers (configs/<name>.cmake) and workloads (workloads/<name>/).

The tree is the catalogue: adding a scheduler or a workload means adding its file or
directory, never editing this tool (DESIGN §4.1).
"""
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import UsageError


@dataclass
class Parameter:
    variable: str          # the CMake cache variable, e.g. SCHED_TIMESLICE_US
    default: str
    doc: str = ""
    range: tuple = None    # (min, max) from the config's schedlab_check_range, if any

    @property
    def key(self):
        """The plain --set key: timeslice_us for SCHED_TIMESLICE_US, mlfq_levels for
        SCHED_MLFQ_LEVELS."""
        return self.variable.lower().removeprefix("sched_")

    def name(self, scheduler):
        """The parameter's name within its scheduler: levels for SCHED_MLFQ_LEVELS in mlfq
        (typed as mlfq.levels), timeslice_us for SCHED_TIMESLICE_US."""
        return self.key.removeprefix(scheduler.lower() + "_")


@dataclass
class Scheduler:
    name: str
    description: str
    path: Path
    parameters: dict = field(default_factory=dict)   # variable -> Parameter


@dataclass
class Workload:
    name: str
    description: str
    path: Path


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


def discover_schedulers(repo):
    return {path.stem: parse_scheduler(path)
            for path in sorted((Path(repo) / "configs").glob("*.cmake"))}


def discover_workloads(repo):
    workloads = {}
    root = Path(repo) / "workloads"
    if not root.is_dir():
        return workloads
    for directory in sorted(p for p in root.iterdir() if p.is_dir()):
        readme = directory / "README"
        if not readme.is_file() and not any(directory.glob("*.c")):
            continue
        description = ""
        if readme.is_file():
            lines = readme.read_text().splitlines()
            description = lines[0].strip() if lines else ""
        workloads[directory.name] = Workload(directory.name, description, directory)
    return workloads


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
    for parameter in scheduler.parameters.values():
        if wanted in (parameter.name(scheduler.name), parameter.key, parameter.variable.lower()):
            return parameter
    return None


def resolve_settings(scheduler, assignments):
    """Turn --set k=v strings into {CMAKE_VARIABLE: value}, refusing keys the config lacks and
    values outside the config's range (before CMake would)."""
    settings = {}
    for assignment in assignments:
        key, separator, value = assignment.partition("=")
        if not separator or not key.strip() or not value:
            raise UsageError(f"--set: expected key=value, got '{assignment}'")
        parameter = find_parameter(scheduler, key)
        if parameter is None:
            valid = ", ".join(f"{scheduler.name}.{p.name(scheduler.name)}"
                              for p in scheduler.parameters.values()) or "(none)"
            raise UsageError(f"--set: unknown parameter '{key}' for scheduler "
                             f"{scheduler.name}; valid: {valid}")
        if parameter.range:
            low, high = parameter.range
            if not value.isdigit() or not low <= int(value) <= high:
                raise UsageError(f"--set: {key}={value} is out of range: valid values are "
                                 f"{low}..{high}")
        settings[parameter.variable] = value
    return settings


def settings_suffix(settings):
    """A short stable hash of the settings, so each variant gets its own build directory."""
    canonical = "\n".join(f"{variable}={settings[variable]}" for variable in sorted(settings))
    return hashlib.sha1(canonical.encode()).hexdigest()[:8]


def format_catalogue(schedulers, workloads):
    lines = ["Schedulers (./schedlab run --sched NAME [--set key=value]):"]
    for scheduler in schedulers.values():
        lines.append(f"  {scheduler.name:<12} {scheduler.description}")
        for parameter in scheduler.parameters.values():
            key = f"{scheduler.name}.{parameter.name(scheduler.name)}"
            valid, doc = "", parameter.doc
            if parameter.range:
                valid = "  [{}..{}]".format(*parameter.range)
                doc = doc.replace(valid.strip(), "").replace("  ", " ").strip(" ;")
            doc = f"  {doc}" if doc else ""
            lines.append(f"      {key} = {parameter.default}{valid}{doc}")
    if not schedulers:
        lines.append("  (none: configs/*.cmake not found)")
    lines.append("")
    lines.append("Workloads (./schedlab run --workload NAME):")
    for workload in workloads.values():
        lines.append(f"  {workload.name:<12} {workload.description}".rstrip())
    if not workloads:
        lines.append("  (none: no workloads/<name>/ with a README or *.c)")
    return "\n".join(lines)
