"""Plots are drawn, overlay several schedulers, and come out the same twice."""
from analysis.plot import POLICY_COLOURS, latency_cdf, policy_colour, policy_colours

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def metrics_with(samples):
    return {"wakeup_latency_ns": {"samples": sorted(samples)},
            "service_time_ns": {"samples": []}}


def test_wakeup_latency_cdf_overlays_schedulers(tmp_path):
    runs = [("rr", metrics_with([1500, 2500, 9000])), ("mlfq", metrics_with([800, 1200])),
            ("myfifo", metrics_with([40_000]))]
    path = tmp_path / "cdf.png"
    assert latency_cdf(runs, path, workload="mixed", log_x=True)
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 1000
    again = tmp_path / "again.png"
    latency_cdf(runs, again, workload="mixed", log_x=True)
    assert again.read_bytes() == data


def test_no_samples_draws_nothing(tmp_path):
    path = tmp_path / "response.png"
    assert not latency_cdf([("rr", metrics_with([5]))], path, "service_time_ns", "service time")
    assert not path.exists()


def test_policies_keep_their_colours():
    assert policy_colours(["mlfq", "zeta", "alpha"])["mlfq"] == POLICY_COLOURS["mlfq"]
    colours = policy_colours(["zeta", "alpha"])
    assert set(colours.values()).isdisjoint(POLICY_COLOURS.values())
    # keyed by name alone: the same whichever other policies are plotted
    assert policy_colours(["zeta"])["zeta"] == colours["zeta"]
    # a configuration takes its policy's colour
    assert policy_colour("rr-4h") == POLICY_COLOURS["rr"]
    assert policy_colour("my-fifo-2h") == policy_colour("my-fifo")
    assert policy_colour("rr[timeslice_us=2000]-1h") == POLICY_COLOURS["rr"]


def test_variants_of_one_policy_get_shades_of_its_colour():
    from analysis.plot import variant_colours
    colours = variant_colours(["rr", "rr[timeslice_us=2000]", "rr[timeslice_us=500]", "mlfq"])
    assert colours["rr"] == "#1f77b4" and colours["mlfq"] == "#ff7f0e"   # tab:blue, tab:orange
    assert len(set(colours.values())) == 4


def test_timeline_threads_of_one_figure_get_distinct_colours_while_the_palette_lasts():
    from analysis.gantt import _THREAD_COLOURS, thread_colour
    labels = [f"worker{i} ({i + 3})" for i in range(len(_THREAD_COLOURS))]
    taken = {}
    for label in labels:
        taken[label] = thread_colour(label, set(taken.values()))
    assert len(set(taken.values())) == len(labels)
    # alone, a thread keeps its own (hashed) colour: the same under every policy
    assert thread_colour(labels[0]) == thread_colour(labels[0], ())
