"""The timing model of a run: what kind of machine its times come from.

  exact              -- 1 hart under icount: one instruction is one virtual ns, every figure
                        repeats byte for byte;
  shared-throughput  -- N > 1 harts under icount: QEMU's instruction counter is one clock for
                        all harts, so N busy harts each run at 1/N speed, like N hardware threads
                        sharing one core; N-hart figures are not an N-core machine's (fork-join
                        with one worker per hart takes 41.1 / 166 / 411 ms at 1 / 2 / 4 harts:
                        its workers spin at barriers, taking the working harts' instructions);
                        and QEMU 7.2 runs the harts in turns on one host thread, so an interrupt
                        for an idle hart (its timer, an IPI waking a thread there) is taken only
                        when the busy hart's turn ends, at its next own timer or kernel entry:
                        a sleeper alone on hart 0 beside a hog on hart 1 wakes up to a timeslice
                        late (20 rounds of 0.55 ms took 39.9 ms instead of 11.0 ms);
  host-parallel      -- --realtime: harts on host threads, wall-clock time; parallel, but noisy
                        and not reproducible;
  parallel-sim       -- --engine sim: the simulator (sim/): the same policy and core code on a
                        discrete-event model of N independent harts (each its own clock, kernel
                        entries serialised by the big kernel lock, kernel paths charged from a
                        cost table measured in QEMU); parallel and reproducible byte for byte,
                        faithful to QEMU's exact model at 1 hart as far as the cross-validation
                        tests show (tests/sim).
Free of numpy, so the schedlab command can use it.
"""

EXACT, SHARED_THROUGHPUT, HOST_PARALLEL = "exact", "shared-throughput", "host-parallel"
PARALLEL_SIM = "parallel-sim"
MODELS = (EXACT, SHARED_THROUGHPUT, HOST_PARALLEL, PARALLEL_SIM)

EXPLANATION = {
    EXACT: "1 hart under icount: instruction-exact virtual time, reproducible byte for byte",
    SHARED_THROUGHPUT: "N harts under icount share one instruction clock: N busy harts each run "
                       "at 1/N speed, like N hardware threads on one core, not N cores; an idle hart's "
                       "timer or wakeup waits for the busy hart's turn to end (up to a "
                       "timeslice)",
    HOST_PARALLEL: "--realtime: harts run in parallel on host threads, wall-clock time; noisy, "
                   "not reproducible",
    PARALLEL_SIM: "the simulator: N independent harts in parallel simulated time, the kernel's "
                  "policy and core code, kernel paths charged from a cost table measured in "
                  "QEMU; reproducible byte for byte",
}

# trace.h, trace_file_header.clock
_CLOCK_ICOUNT, _CLOCK_REALTIME, _CLOCK_SIMULATED = 0, 1, 2


def timing_model(harts, realtime):
    """The model of a run on `harts` harts, with the wall clock if `realtime`."""
    if realtime:
        return HOST_PARALLEL
    return EXACT if int(harts) <= 1 else SHARED_THROUGHPUT


def from_trace_header(header):
    """The model a trace's header implies (its nharts and clock); None for an unknown clock."""
    clock = header.get("clock")
    if clock == _CLOCK_SIMULATED:
        return PARALLEL_SIM
    if clock not in (_CLOCK_ICOUNT, _CLOCK_REALTIME):
        return None
    return timing_model(header.get("nharts", 1), clock == _CLOCK_REALTIME)


def label(model, harts=None):
    """A short label for titles: "4 harts, shared-throughput (not a 4-core machine)"."""
    if model == SHARED_THROUGHPUT:
        where = f"{harts} harts, " if harts else ""
        cores = f"a {harts}-core" if harts else "an N-core"
        return f"{where}shared-throughput: one icount clock for all harts, not {cores} machine"
    if model == PARALLEL_SIM:
        return f"{harts} hart(s), parallel-sim (simulator)" if harts else "parallel-sim (simulator)"
    if model == HOST_PARALLEL:
        return f"{harts} hart(s), host-parallel (--realtime, noisy)" if harts else \
            "host-parallel (--realtime, noisy)"
    return "1 hart, exact (icount)" if model == EXACT else str(model)
