"""Which --param keys a run may pass, so a typo is refused instead of silently ignored (the
kernel and the workload engine read the keys they know and skip the rest).

A spec workload reads its spec's parameter keys (`./schedlab list` shows them); the kernel and
the engine read the keys below under every workload. A hand-written root task
(workloads/<name>/main.c) reads whatever its C reads, so keys for it are not checked. seed=,
clock= and engine.placement= have flags of their own (--seed, --realtime, --placement).
"""
from . import UsageError

KERNEL_KEYS = {
    "limit_ms": "emulated ms before the kernel stops a QEMU run as hung (kernel/boot.c)",
    "deadlock": "halt: stop when every thread blocked with no timer armed (kernel/boot.c)",
    "trace_kb": "trace buffer KiB per hart (kernel/boot.c)",
    "invariants.scan_every": "a debug build's capability scan period (kernel/invariants.c)",
    "engine.extensions": "0: no SMP extension calls (workloads/engine/params.c)",
}


# what the fuzzer's root task reads (tests/fuzz/main.c, watchdog.c); --calls sets fuzz.calls
FUZZ_KEYS = ("fuzz.workers", "fuzz.skip", "fuzz.lateness_ms")


def refuse_unknown(params, known, who, usage):
    """Refuse a --param key neither in `known` nor one the kernel reads, naming the valid
    keys; `who` says whose keys they are ("workload chat", "the fuzzer")."""
    for param in params:
        key = param.partition("=")[0]
        if key not in known and key not in KERNEL_KEYS:
            valid = ", ".join([*known, *KERNEL_KEYS])
            raise UsageError(f"--param: unknown key '{key}' for {who}; valid: {valid} "
                             "(see ./schedlab list)", usage)


def _is_spec(workload):
    return str(getattr(workload, "path", "")).endswith(".json")


def check_params(params, workloads, usage):
    """Refuse a --param key that none of `workloads` (configs.Workload) nor the kernel reads,
    naming the valid keys. Any key passes when one of them is a hand-written root task."""
    if not all(_is_spec(workload) for workload in workloads):
        return
    known = sorted({key for workload in workloads for key in workload.parameters})
    refuse_unknown(params, known, "workload " + ", ".join(w.name for w in workloads), usage)


def format_kernel_keys():
    """The `list` section of the keys every run may pass with --param."""
    lines = ["Boot arguments under every workload (./schedlab run ... --param key=value):"]
    lines += [f"      {key:<22} {doc}" for key, doc in KERNEL_KEYS.items()]
    return "\n".join(lines)
