"""Workload specs (workloads/<name>.json): loading, validation, and the run-time parameters.

A spec is checked completely before anything is generated from it. Every error names the file,
the field path inside the spec and what was expected, e.g.
  workloads/ipc-server.json: threads[1].phases[2].call.server: unknown server 'db'; servers are: kv
and the check goes on past an error to report every one it can: each top-level field, parameter,
thread group and phase is checked on its own (an error inside one phase does not hide one in
the next), and the checks across groups run only on a spec whose parts are all valid (they
would otherwise report what the first errors caused).
The format is documented in workloads/README.md. Standard library only: CMake runs this at
build time with /usr/bin/python3.
"""
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
MAX_VALUE = (1 << 48) - 1          # numbers beyond this are typos, not workloads
MAX_LOOP_DEPTH = 8                 # the engine's per-thread loop stack
HARTS = "$harts"                   # a count or value that defaults to the machine's hart count
# A distribution's parameters, in the engine's order (workloads/engine/table.h enum wl_dist_kind);
# each becomes a boot-argument key <field key>.<parameter>. A bound left out has the default
# here; max 0 means no upper bound.
DISTRIBUTIONS = {
    "constant": (),
    "uniform": (("min", None), ("max", None)),
    "exponential": (("mean", None), ("min", 0), ("max", 0)),
    "normal": (("mean", None), ("sd", None), ("min", 0), ("max", 0)),
}

OBJECT_KINDS = ("servers", "notifications", "locks", "barriers")
GROUP_FIELDS = {
    "name": "a thread group name", "count": "threads in the group", "priority":
    "seL4 priority, below the root task's 255", "affinity": "hart mask, 'all' or 'spread'", "address_space":
    "'shared' or 'own'", "working_set_kb": "KiB each thread touches per run phase",
    "arrival_us": "delay before the first phase", "start": "'boot' or 'spawn'",
    "daemon": "true: not waited for", "paged": "true: working set paged in on demand",
    "phases": "the phase list",
}
GROUP_DEFAULTS = {"count": 1, "priority": 100, "working_set_kb": 0, "arrival_us": 0}
GROUP_DRAWN = ("count", "arrival_us")   # group fields that may be distributions
ROOT_PRIORITY = 255                     # seL4_MaxPrio: the engine's root task outranks its threads
# phase kind -> {field: (kind of value, required)}; "value" fields are numbers or $params
PHASES = {
    "run": {"us": ("value", False), "percent_of_period": ("value", False),
            "request": ("bool", False)},
    "sleep": {"us": ("value", True)},
    "timer": {"period_us": ("value", True), "deadline_us": ("value", False)},
    "call": {"server": ("servers", True)},
    "recv": {"server": ("servers", True)},
    "reply": {},
    "signal": {"notification": ("notifications", True)},
    "wait": {"notification": ("notifications", True)},
    "lock": {"lock": ("locks", True)},
    "unlock": {"lock": ("locks", True)},
    "barrier": {"barrier": ("barriers", True), "spin_us": ("value", False)},
    "yield": {},
    "spawn": {"threads": ("group", True)},
    "loop": {"count": ("value", False), "forever": ("bool", False), "phases": ("phases", True)},
}


class SpecError(Exception):
    """A spec that cannot be used; str() is the full message with file and field path, one
    line per error (`errors` holds them)."""

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.errors = errors or [message]


@dataclass
class Value:
    """One numeric parameter: its boot-argument key, default, and what it sets."""
    key: str
    default: int
    doc: str
    from_harts: bool = False


@dataclass
class Quantity:
    """A number the engine draws each time it is used: a constant or a distribution whose
    parameters are Spec.values indices (in DISTRIBUTIONS order; a constant has one)."""
    kind: str
    params: list


@dataclass
class Phase:
    kind: str
    values: dict = field(default_factory=dict)     # field -> index into Spec.quantities
    target: str = ""                                # object or group name
    flag: bool = False                              # run.request, loop.forever
    body: list = field(default_factory=list)        # loop phases


@dataclass
class Group:
    name: str
    values: dict                  # priority, affinity, working_set_kb -> Spec.values index;
                                  # count, arrival_us -> Spec.quantities index
    affinity: str                 # "mask", "all" or "spread"
    own_space: bool
    spawned: bool
    daemon: bool
    paged: bool
    phases: list


@dataclass
class Spec:
    name: str
    description: str
    values: list                  # [Value]
    objects: dict                 # kind -> [names]
    groups: list                  # [Group]
    pager_frames: int = 0         # index of the pager's frame pool value, -1 without a pager
    quantities: list = field(default_factory=list)   # [Quantity]


class _Checker:
    def __init__(self, path, name):
        self.path, self.name = path, name
        self.values, self.keys = [], {}
        self.quantities, self.param_quantity = [], {}
        self.errors = []

    def fail(self, where, message):
        raise SpecError(f"{self.path}: {where}: {message}" if where else f"{self.path}: {message}")

    def part(self, check, *args, fallback=None):
        """check(*args), an error in it recorded and `fallback` returned instead, so the
        rest of the spec is still checked."""
        try:
            return check(*args)
        except SpecError as error:
            self.errors.append(str(error))
            return fallback

    def finish(self):
        """Raise the errors recorded so far, all in one SpecError."""
        if self.errors:
            raise SpecError("\n".join(self.errors), list(self.errors))

    def new_value(self, key, default, doc, where, from_harts=False):
        if key in self.keys:
            self.fail(where, f"parameter key '{key}' is already used; rename the thread group "
                      "or parameter")
        self.keys[key] = len(self.values)
        self.values.append(Value(key, default, doc, from_harts))
        return len(self.values) - 1

    def number(self, raw, where, what):
        if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= MAX_VALUE:
            self.fail(where, f"expected {what}: an integer 0..{MAX_VALUE} or a \"$param\", "
                      f"got {json.dumps(raw)}")
        return raw

    def value(self, raw, where, key, doc):
        """A literal gets its own key; "$p" shares the workload parameter p; "$harts" is the
        machine's hart count unless overridden. A constant only: used where nothing is drawn."""
        if isinstance(raw, str) and raw.startswith("$") and raw != HARTS:
            quantity = self.quantities[self.param_quantity[self.known_param(raw, where)]]
            if quantity.kind != "constant":
                self.fail(where, f"'{raw}' is a {quantity.kind} distribution; this field takes "
                          "a constant")
            return quantity.params[0]
        if isinstance(raw, dict):
            self.fail(where, f"expected {doc}: a constant (an integer or a \"$param\"); "
                      "distributions are for durations, counts and arrivals")
        return self.constant(raw, where, key, doc)

    def constant(self, raw, where, key, doc):
        if raw == HARTS:
            return self.new_value(key, 1, doc + " (default: the hart count)", where, True)
        return self.new_value(key, self.number(raw, where, doc), doc, where)

    def known_param(self, raw, where):
        param = f"{self.name}.{raw[1:]}"
        if param not in self.param_quantity:
            known = ", ".join("$" + k.split(".", 1)[1] for k in self.param_quantity) or "(none)"
            self.fail(where, f"unknown parameter '{raw}'; params are: {known}, $harts")
        return param

    def new_quantity(self, kind, params):
        self.quantities.append(Quantity(kind, params))
        return len(self.quantities) - 1

    def quantity(self, raw, where, key, doc):
        """A duration, count or arrival: a constant (as value()) or a distribution object
        {"dist": kind, parameter: number or "$param", ...}; each parameter gets the key
        <key>.<parameter>. "$p" shares p's quantity, distribution or not."""
        if isinstance(raw, str) and raw.startswith("$") and raw != HARTS:
            return self.param_quantity[self.known_param(raw, where)]
        if not isinstance(raw, dict):
            return self.new_quantity("constant", [self.constant(raw, where, key, doc)])
        kinds = ", ".join(k for k in DISTRIBUTIONS if k != "constant")
        kind = raw.get("dist")
        if kind not in DISTRIBUTIONS or kind == "constant":
            self.fail(f"{where}.dist", f"expected a distribution: one of {kinds}, got "
                      f"{json.dumps(kind)}")
        fields = DISTRIBUTIONS[kind]
        allowed = ("dist",) + tuple(name for name, _ in fields)
        for name in raw:
            if name not in allowed:
                self.fail(f"{where}.{name}", f"unknown field of a {kind} distribution; "
                          f"expected one of: {', '.join(allowed)}")
        params, defaults = [], {}
        for name, default in fields:
            fwhere = f"{where}.{name}"
            if name not in raw and default is None:
                self.fail(where, f"a {kind} distribution needs '{name}' (fields: "
                          f"{', '.join(allowed[1:])})")
            field_raw = raw.get(name, default)
            if isinstance(field_raw, dict) or field_raw == HARTS:
                self.fail(fwhere, f"expected {doc} {name}: an integer 0..{MAX_VALUE} or a "
                          f"\"$param\", got {json.dumps(field_raw)}")
            params.append(self.value(field_raw, fwhere, f"{key}.{name}", f"{doc} {name}"))
            defaults[name] = self.values[params[-1]].default
        self.check_bounds(kind, defaults, where)
        return self.new_quantity(kind, params)

    def check_bounds(self, kind, d, where):
        """The engine makes the same checks at start-up on the values boot arguments give."""
        if kind == "uniform" and d["max"] < d["min"]:
            self.fail(where, f"uniform max {d['max']} is below min {d['min']}")
        if kind in ("exponential", "normal"):
            if d["max"] and d["max"] < d["min"]:
                self.fail(where, f"{kind} max {d['max']} is below min {d['min']} (max 0: no "
                          "upper bound)")
            if d["mean"] == 0 and kind == "exponential":
                self.fail(f"{where}.mean", "an exponential distribution needs a mean > 0")


def _load_json(path):
    try:
        data = json.loads(Path(path).read_text())
    except OSError as error:
        raise SpecError(f"{path}: cannot read: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise SpecError(f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}") \
            from None
    if not isinstance(data, dict):
        raise SpecError(f"{path}: expected a JSON object at the top level")
    return data


def workload_name(path):
    path = Path(path)
    return path.parent.name if path.name == "spec.json" else path.stem


def _check_keys(c, obj, allowed, where):
    for key in obj:
        if key not in allowed:
            c.fail(f"{where}.{key}" if where else key,
                   f"unknown field; expected one of: {', '.join(allowed)}")


def _object_names(c, data, kind):
    names = data.get(kind, [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        c.fail(kind, "expected a list of names")
    for i, n in enumerate(names):
        if not NAME.match(n):
            c.fail(f"{kind}[{i}]", f"invalid name '{n}'; expected [a-z][a-z0-9_-]*")
        if names.index(n) != i:
            c.fail(f"{kind}[{i}]", f"duplicate name '{n}'")
    return names


def _objects(c, data):
    return {kind: c.part(_object_names, c, data, kind, fallback=[]) for kind in OBJECT_KINDS}


def _params(c, data):
    params = data.get("params", {})
    if not isinstance(params, dict):
        c.fail("params", "expected an object of name: number or name: {value, doc}")
    for name, raw in params.items():
        c.part(_param, c, name, raw)


def _param(c, name, raw):
    where = f"params.{name}"
    if not NAME.match(name):
        c.fail(where, "invalid parameter name; expected [a-z][a-z0-9_]*")
    doc = ""
    if isinstance(raw, dict) and "dist" not in raw:
        _check_keys(c, raw, ("value", "doc"), where)
        doc, raw = str(raw.get("doc", "")), raw.get("value")
        where = f"{where}.value"
    key = f"{c.name}.{name}"
    if isinstance(raw, str):
        c.fail(where, f"expected a parameter value: an integer 0..{MAX_VALUE} or a "
               f"distribution, got {json.dumps(raw)}")
    c.param_quantity[key] = c.quantity(raw, where, key, doc or "a parameter value")


class _GroupChecker:
    """Phases of one thread group; literal numbers get keys <group>.<phase>_<field>."""

    def __init__(self, c, spec_objects, group_names, own_space):
        self.c, self.objects, self.groups, self.own_space = c, spec_objects, group_names, own_space
        self.used = {}
        self.receives = False
        self.replies = []
        self.timer = False

    def key(self, group, kind, name):
        base = f"{group}.{kind}_{name}"
        n = self.used.get(base, 0) + 1
        self.used[base] = n
        return base if n == 1 else f"{base}{n}"

    def phases(self, group, raw, where, depth):
        if not isinstance(raw, list) or not raw:
            self.c.fail(where, "expected a non-empty list of phases")
        phases = [self.c.part(self.phase, group, p, f"{where}[{i}]", depth)
                  for i, p in enumerate(raw)]
        return [phase for phase in phases if phase is not None]

    def phase(self, group, raw, where, depth):
        c = self.c
        if not isinstance(raw, dict) or len(raw) != 1:
            c.fail(where, "expected an object with exactly one phase kind: "
                   + ", ".join(PHASES))
        kind, body = next(iter(raw.items()))
        if kind not in PHASES:
            c.fail(where, f"unknown phase '{kind}'; expected one of: {', '.join(PHASES)}")
        where = f"{where}.{kind}"
        if body is None or body == {}:
            body = {}
        if not isinstance(body, dict):
            c.fail(where, "expected an object of phase fields ({} when it has none)")
        fields = PHASES[kind]
        _check_keys(c, body, tuple(fields), where)
        for name, (_, required) in fields.items():
            if required and name not in body:
                c.fail(where, f"missing field '{name}'")
        phase = Phase(kind)
        for name, raw_field in body.items():
            sort, _ = fields[name]
            fwhere = f"{where}.{name}"
            if sort == "value":
                phase.values[name] = c.quantity(raw_field, fwhere, self.key(group, kind, name),
                                                f"{kind} {name}")
            elif sort == "bool":
                if not isinstance(raw_field, bool):
                    c.fail(fwhere, f"expected true or false, got {json.dumps(raw_field)}")
                phase.flag = raw_field
            elif sort == "group":
                if raw_field not in self.groups:
                    c.fail(fwhere, f"unknown thread group '{raw_field}'; groups are: "
                           + ", ".join(self.groups))
                phase.target = raw_field
            elif sort == "phases":
                if depth + 1 > MAX_LOOP_DEPTH:
                    c.fail(fwhere, f"loops nest deeper than {MAX_LOOP_DEPTH}")
                phase.body = self.phases(group, raw_field, fwhere, depth + 1)
            else:
                names = self.objects[sort]
                if raw_field not in names:
                    singular = sort[:-1]
                    c.fail(fwhere, f"unknown {singular} {json.dumps(raw_field)}; {sort} are: "
                           + (", ".join(names) or f"(none: declare them in \"{sort}\")"))
                phase.target = raw_field
        self.semantics(kind, phase, body, where)
        return phase

    def semantics(self, kind, phase, body, where):
        c = self.c
        if kind == "run" and ("us" in body) == ("percent_of_period" in body):
            c.fail(where, "expected exactly one of 'us' or 'percent_of_period'")
        if kind == "run" and "percent_of_period" in body and not self.timer:
            c.fail(where, "'percent_of_period' needs a timer phase before it in this thread")
        if kind == "timer":
            self.timer = True
        if kind == "loop" and ("count" in body) == bool(body.get("forever")):
            c.fail(where, "expected exactly one of 'count' or \"forever\": true")
        if kind == "recv":
            self.receives = True
        if kind == "reply":
            self.replies.append(where)
        if kind == "barrier" and self.own_space:
            c.fail(where, "barriers count arrivals in shared memory: use them only in threads "
                   "with \"address_space\": \"shared\"")


def _affinity(c, raw, where):
    if raw in ("all", "spread"):
        return raw
    c.number(raw, where, "a hart mask (bit n = hart n), 'all' or 'spread'")
    if raw == 0:
        c.fail(where, "an affinity mask needs at least one hart")
    return "mask"


def _group(c, raw, where, objects, group_names):
    if not isinstance(raw, dict):
        c.fail(where, "expected a thread group object")
    _check_keys(c, raw, tuple(GROUP_FIELDS), where)
    name = raw.get("name")
    if not isinstance(name, str) or not NAME.match(name):
        c.fail(f"{where}.name", "expected a thread group name matching [a-z][a-z0-9_-]*")
    if "phases" not in raw:
        c.fail(where, "missing field 'phases'")
    space = raw.get("address_space", "shared")
    if space not in ("shared", "own"):
        c.fail(f"{where}.address_space", f"expected 'shared' or 'own', got {json.dumps(space)}")
    start = raw.get("start", "boot")
    if start not in ("boot", "spawn"):
        c.fail(f"{where}.start", f"expected 'boot' or 'spawn', got {json.dumps(start)}")
    flags = {}
    for flag in ("daemon", "paged"):
        flags[flag] = raw.get(flag, False)
        if not isinstance(flags[flag], bool):
            c.fail(f"{where}.{flag}", "expected true or false")
    if flags["paged"] and space != "own":
        c.fail(f"{where}.paged", "paged threads need \"address_space\": \"own\" (the pager "
               "maps frames into their address space)")
    if flags["paged"] and not raw.get("working_set_kb"):
        c.fail(f"{where}.paged", "paged threads need a working_set_kb > 0 to fault on")
    values = {}
    for fname, default in GROUP_DEFAULTS.items():
        read = c.quantity if fname in GROUP_DRAWN else c.value
        values[fname] = read(raw.get(fname, default), f"{where}.{fname}", f"{name}.{fname}",
                             GROUP_FIELDS[fname])
    if c.values[values["priority"]].default >= ROOT_PRIORITY:
        c.fail(f"{where}.priority", f"expected a priority below the root task's "
               f"({ROOT_PRIORITY}), which must outrank every workload thread until they all "
               f"started; got {c.values[values['priority']].default}")
    if start == "spawn" and space == "own":
        c.fail(f"{where}.start", "a spawned group reads its arrival instant from the spawner's "
               "memory: it needs \"address_space\": \"shared\"")
    affinity = raw.get("affinity", "all")
    kind = _affinity(c, affinity, f"{where}.affinity")
    values["affinity"] = c.new_value(f"{name}.affinity", affinity if kind == "mask" else 0,
                                     "hart mask (0: as in the spec)", f"{where}.affinity")
    checker = _GroupChecker(c, objects, group_names, space == "own")
    phases = checker.phases(name, raw["phases"], f"{where}.phases", 0)
    if checker.replies and not checker.receives:
        c.fail(checker.replies[0], "a reply needs a recv phase in the same thread")
    return Group(name, values, kind, space == "own", start == "spawn", flags["daemon"],
                 flags["paged"], phases), checker


def _walk(phases):
    for phase in phases:
        yield phase
        yield from _walk(phase.body)


def _cross_checks(c, spec):
    used = {kind: set() for kind in ("call", "recv", "spawn")}
    for i, group in enumerate(spec.groups):
        for phase in _walk(group.phases):
            if phase.kind in used:
                used[phase.kind].add(phase.target)
            if phase.kind == "spawn" and not next(g for g in spec.groups
                                                  if g.name == phase.target).spawned:
                c.fail(f"threads[{i}]", f"spawns '{phase.target}', which has no "
                       "\"start\": \"spawn\"")
            if phase.kind == "spawn" and group.own_space:
                c.fail(f"threads[{i}]", "a spawn phase writes the spawned threads' arrival "
                       "instant to shared memory: the spawner needs \"address_space\": "
                       "\"shared\"")
    for server in spec.objects["servers"]:
        if server in used["call"] and server not in used["recv"]:
            c.fail("servers", f"'{server}' is called but no thread has a recv phase for it")
    for i, group in enumerate(spec.groups):
        if group.spawned and group.name not in used["spawn"]:
            c.fail(f"threads[{i}].start", f"'{group.name}' starts by spawn but no phase "
                   "spawns it")
    if all(g.daemon for g in spec.groups):
        c.fail("threads", "every thread group is a daemon: nothing to wait for")


def load_spec(path):
    """Parse and validate a spec; raises SpecError with every problem found (module
    docstring)."""
    path = Path(path)
    name = workload_name(path)
    data = _load_json(path)
    c = _Checker(path, name)
    if not NAME.match(name):
        c.fail("", f"invalid workload name '{name}'; expected [a-z][a-z0-9_-]*")
    c.part(_check_keys, c, data,
           ("description", "params", "pager_frames", "threads") + OBJECT_KINDS, "")
    description = data.get("description")
    if not isinstance(description, str) or not description.strip():
        c.part(c.fail, "description", "expected a one-line description of the workload")
        description = ""
    objects = _objects(c, data)
    _params(c, data)
    groups = data.get("threads")
    if not isinstance(groups, list) or not groups:
        c.part(c.fail, "threads", "expected a non-empty list of thread groups")
        groups = []
    names = [g.get("name") if isinstance(g, dict) else None for g in groups]
    duplicates = set()
    for i, n in enumerate(names):
        if n is not None and names.index(n) != i:
            c.part(c.fail, f"threads[{i}].name", f"duplicate thread group name '{n}'")
            duplicates.add(i)
    spec = Spec(name, description.strip(), c.values, objects, [], -1, c.quantities)
    for i, raw in enumerate(groups):
        if i in duplicates:   # its keys would clash with the first group's: not an error more
            continue
        group = c.part(_group, c, raw, f"threads[{i}]", objects,
                       [n for n in names if isinstance(n, str)])
        if group is not None:
            spec.groups.append(group[0])
    c.part(_pager, c, data, spec)
    c.finish()          # the cross checks need every part valid
    _cross_checks(c, spec)
    return spec


def _pager(c, data, spec):
    if any(g.paged for g in spec.groups):
        spec.pager_frames = c.new_value(f"{spec.name}.pager_frames", c.number(
            data.get("pager_frames", 16), "pager_frames", "frames in the pager's pool"),
            "frames in the pager's pool", "pager_frames")
        if spec.values[spec.pager_frames].default == 0:
            c.fail("pager_frames", "the pager needs at least one frame")
    elif "pager_frames" in data:
        c.fail("pager_frames", "only specs with a \"paged\": true thread group have a pager")


def discover_specs(repo):
    """workloads/*.json and workloads/<name>/spec.json, by workload name."""
    root = Path(repo) / "workloads"
    paths = sorted(root.glob("*.json")) + sorted(root.glob("*/spec.json"))
    return {workload_name(p): p for p in paths}


def value_range(value):
    """(low, high) a Value may be set to: a priority stays below the root task's
    (the engine refuses more at start-up), any other number is 0..MAX_VALUE."""
    if value.key.endswith(".priority"):
        return 0, ROOT_PRIORITY - 1
    return 0, MAX_VALUE


def parameter_keys(spec):
    return {value.key for value in spec.values}


def why_not_built(repo, name):
    """': its spec is invalid: <errors>' when workload `name` has a spec that fails
    validation (the build leaves such a workload out, cmake/workload_specs.cmake), else ''."""
    path = discover_specs(repo).get(name)
    if path is None:
        return ""
    try:
        load_spec(path)
    except SpecError as error:
        return f": its spec is invalid: {'; '.join(error.errors)}"
    return ""
