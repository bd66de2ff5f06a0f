"""Perfetto export, the report page and summary.csv, on synthetic runs."""
import csv
import json

from analysis.__main__ import main
from analysis.decode import chunk_per_hart, write_trace
from analysis.headline import HEADLINE, display
from analysis.metrics import compute_metrics, write_metrics
from analysis.perfetto import HARTS_PID, THREADS_PID, perfetto_events
from analysis.decode import decode

from synthetic import end_at, marker, migrate, name_records, switch, trace_of, wakeup


def two_hart_records():
    """Hart 0 runs "alpha" (2) 0-300 then idles; hart 1 runs "beta" (3) 100-400. alpha is
    woken at 500 onto hart 0, pulled to hart 1 at 520 and runs there 600-1000."""
    return [*name_records(0, 2, "alpha"), *name_records(0, 3, "beta"),
            switch(0, 0, 0, 2, "TRACE_SWITCH_FROM_IDLE"),
            switch(100, 1, 0, 3, "TRACE_SWITCH_FROM_IDLE"),
            marker(150, 2, "TRACE_MARK_REQUEST_BEGIN", 7),
            marker(250, 2, "TRACE_MARK_REQUEST_END", 7),
            switch(300, 0, 2, 0, "TRACE_SWITCH_BLOCK"),
            switch(400, 1, 3, 0, "TRACE_SWITCH_BLOCK"),
            wakeup(500, 0, 2), migrate(520, 1, 2, 0, 1),
            switch(600, 1, 0, 2, "TRACE_SWITCH_FROM_IDLE"),
            end_at(1000, 0), end_at(1000, 1)]


def test_perfetto_json_has_a_track_per_hart_and_per_thread_with_exact_durations(tmp_path):
    path = tmp_path / "trace.bin"
    write_trace(path, chunk_per_hart(two_hart_records()), nharts=2)
    out = tmp_path / "out.json"
    assert main(["perfetto", str(path), str(out)]) == 0
    data = json.loads(out.read_text())           # valid JSON
    events = data["traceEvents"]
    names = {(e["pid"], e.get("tid")): e["args"]["name"] for e in events
             if e["ph"] == "M" and e["name"] == "thread_name"}
    assert names == {(HARTS_PID, 1): "hart 0", (HARTS_PID, 2): "hart 1",
                     (THREADS_PID, 2): "alpha (2)", (THREADS_PID, 3): "beta (3)"}
    running = sorted((e["tid"], e["name"], e["ts"], e["dur"]) for e in events
                     if e["ph"] == "X" and e["pid"] == HARTS_PID)
    assert running == [(1, "alpha (2)", 0.0, 0.3), (2, "alpha (2)", 0.6, 0.4),
                       (2, "beta (3)", 0.1, 0.3)]
    alpha = [(e["name"], e["ts"], e["dur"]) for e in events
             if e["ph"] == "X" and e["pid"] == THREADS_PID and e["tid"] == 2]
    assert alpha == [("running", 0.0, 0.3), ("blocked", 0.3, 0.2),
                     ("runnable: ipc", 0.5, 0.02), ("runnable: ipc", 0.52, 0.08),
                     ("running", 0.6, 0.4)]
    instants = sorted((e["cat"], e["name"], e["ts"]) for e in events if e["ph"] == "i")
    assert instants == [("marker", "REQUEST_BEGIN", 0.15), ("marker", "REQUEST_END", 0.25),
                        ("migrate", "migrate 0->1", 0.52), ("wakeup", "wakeup", 0.5)]
    assert all(e["dur"] >= 0 for e in events if e["ph"] == "X")
    assert data["otherData"]["lossy"] is False


def test_perfetto_of_an_empty_and_a_lossy_trace():
    empty = perfetto_events(trace_of([], nharts=2))
    assert [e for e in empty["traceEvents"] if e["ph"] != "M"] == []
    lossy = perfetto_events(trace_of([switch(0, 0, 0, 2)], dropped={0: 3}))
    assert lossy["otherData"]["dropped_events"] == 3
    assert lossy["otherData"]["lossy"] is True
    assert "lossy trace" in lossy["otherData"]["warning"]


def make_results(root, layout):
    """Two schedulers x 1 workload under root, in the old (<sched>/<workload>) or issue-5
    (<sched>-<N>h/<workload>) layout, with metrics computed as the runner does."""
    dirs = []
    for scheduler, shift in (("rr", 0), ("mlfq", 50)):
        records = [dict(r, time_ns=r["time_ns"] + shift if r["time_ns"] else 0)
                   for r in two_hart_records()]
        run = root / (f"{scheduler}-2h" if layout == "config" else scheduler) / "mixed"
        run.mkdir(parents=True)
        write_trace(run / "trace.bin", chunk_per_hart(records), nharts=2)
        (run / "run.json").write_text(json.dumps({
            "scheduler": scheduler, "workload": "mixed", "cpus": 2, "seed": 3,
            "clock": "icount", "ok": True, "status": 0, "commit": "abc123def4567890",
            "dirty": False, "sched_params": {"timeslice_us": "10000"}}))
        write_metrics(compute_metrics(decode(run / "trace.bin"), scheduler),
                      run / "metrics.json")
        dirs.append(run)
    return dirs


def test_report_page_shows_every_plot_and_the_figures_of_metrics_json(tmp_path):
    for layout in ("config", "sched"):
        root = tmp_path / layout
        dirs = make_results(root, layout)
        assert main(["report", str(root)]) == 0
        page = (root / "report" / "index.html").read_text()
        # 2 harts under icount: every plot is of the shared-throughput group, and says so
        for image in ("wakeup_histogram", "wakeup_percentiles",
                      "switch_rate", "fairness", "utilisation", "migrations_per_thread",
                      "timeline"):
            name = f"mixed_qemu-2h-shared-throughput_{image}.png"
            assert f'src="plots/{name}"' in page
            assert (root / "report" / "plots" / name).read_bytes()[:4] == b"\x89PNG"
        assert "mixed: QEMU, 2 harts, shared-throughput: one icount clock for all harts, " \
            "not a 2-core machine" in page
        assert "rr-2h" in page and "mlfq-2h" in page
        assert "rr (baseline)" in page
        assert "abc123def456" in page and "timeslice_us=10000" in page
        assert 'href="../summary.csv"' in page
        for run in dirs:
            headline = json.loads((run / "metrics.json").read_text())["headline"]
            assert f'href="../{run.relative_to(root)}/metrics.json"' in page
            for key, _, _, _, _ in HEADLINE:
                assert display(headline[key]) in page
        assert "script" not in page.lower()


def test_summary_csv_rows_equal_metrics_json(tmp_path):
    dirs = make_results(tmp_path, "config")
    assert main(["report", str(tmp_path)]) == 0
    with open(tmp_path / "summary.csv") as summary:
        rows = {row["config"]: row for row in csv.DictReader(summary)}
    assert set(rows) == {"rr-2h", "mlfq-2h"}
    for run in dirs:
        metrics = json.loads((run / "metrics.json").read_text())
        row = rows[f"{metrics['scheduler']}-2h"]
        assert row["cpus"] == "2" and row["commit"] == "abc123def4567890"
        for key, value in metrics["headline"].items():
            if key == "unsupported":      # a table: one column per figure, holding the reason
                for figure, reason in value.items():
                    assert row[f"headline.unsupported.{figure}"] == reason
                continue
            assert row[f"headline.{key}"] == ("" if value is None else str(value))
        assert row["timing_model"] == "shared-throughput"
        # one wakeup (alpha's, 100 ns): the max is measured, no percentile is supported
        assert (row["wakeup_latency_ns.n"], row["wakeup_latency_ns.max"]) == ("1", "100")
        assert row["wakeup_latency_ns.p50"] == row["wakeup_latency_ns.p99"] == ""
        assert row["wakeup_latency_ns.unsupported.p50"] == "needs n >= 2, n = 1"
        assert row["headline.unsupported.wakeup_p99_ns"] == "needs n >= 100, n = 1"
        assert not any(column.endswith("samples") or ".per_thread." in column for column in row)


def test_report_of_a_failed_run_lists_it_without_plots(tmp_path):
    run = tmp_path / "rr" / "mixed"
    run.mkdir(parents=True)
    (run / "run.json").write_text(json.dumps({"scheduler": "rr", "workload": "mixed",
                                              "cpus": 1, "ok": False, "status": 3}))
    assert main(["report", str(tmp_path)]) == 0
    page = (tmp_path / "report" / "index.html").read_text()
    assert "FAILED (status 3)" in page and "Not drawn" in page


def test_perfetto_shows_each_ipc_message_on_the_receivers_track():
    from synthetic import FORMAT, make_record
    kinds = FORMAT.enum("trace_ipc_kind").members
    call = make_record("IPC", 200, 0, kind=kinds["TRACE_IPC_ENDPOINT"], sender=2, receiver=3,
                       words=4, badge=9)
    reply = make_record("IPC", 300, 0, kind=kinds["TRACE_IPC_REPLY"], sender=3, receiver=2,
                        words=1, badge=0)
    events = perfetto_events(trace_of([*name_records(0, 2, "client"),
                                       *name_records(0, 3, "server"), call, reply]))
    ipc = [e for e in events["traceEvents"] if e.get("cat") == "ipc"]
    assert [(e["tid"], e["name"], e["args"]["words"], e["args"]["badge"]) for e in ipc] == [
        (3, "endpoint from client (2)", 4, 9), (2, "reply from server (3)", 1, 0)]


def test_report_says_each_timing_model_and_placement_and_keeps_them_apart(tmp_path):
    """A 1-hart run and a 2-hart icount run of one workload: separate tables and plots, the
    multi-hart ones labelled shared-throughput, with the placement given and the harts used."""
    for scheduler, harts, placement in (("rr", 1, "spread"), ("mlfq", 2, "creator")):
        run = tmp_path / f"{scheduler}-{harts}h" / "mixed"
        run.mkdir(parents=True)
        records = [r for r in two_hart_records() if harts == 2 or r["hart"] == 0]
        write_trace(run / "trace.bin", chunk_per_hart(records), nharts=harts)
        (run / "run.json").write_text(json.dumps({
            "scheduler": scheduler, "workload": "mixed", "cpus": harts, "clock": "icount",
            "ok": True, "placement": placement,
            "timing_model": "exact" if harts == 1 else "shared-throughput"}))
        write_metrics(compute_metrics(decode(run / "trace.bin"), scheduler), run / "metrics.json")
    assert main(["report", str(tmp_path)]) == 0
    page = (tmp_path / "report" / "index.html").read_text()
    assert "<h2>Timing models</h2>" in page
    assert "<b>exact</b>: 1 hart under icount" in page
    assert "(up to a timeslice). Here: mlfq-2h" in page
    assert "<h3>1 hart, exact (icount)</h3>" in page
    assert "<h3>2 harts, shared-throughput: one icount clock for all harts, not a 2-core " \
           "machine</h3>" in page
    assert "<h3>mixed: QEMU, 1 hart, exact (icount)</h3>" in page
    assert page.count("Timing model 2 harts, shared-throughput") == 2   # workload + headline
    for machine in ("qemu-1h-exact", "qemu-2h-shared-throughput"):
        assert f'src="plots/mixed_{machine}_timeline.png"' in page
    assert "creator: seL4&#x27;s rule, a thread starts on the hart of the thread creating it" \
        in page
    assert "harts 0, 1 (threads per hart: h0: 1, h1: 2)" in page
    assert "— (1 hart)" in page
    with open(tmp_path / "summary.csv") as summary:
        rows = {row["config"]: row for row in csv.DictReader(summary)}
    assert (rows["mlfq-2h"]["timing_model"], rows["mlfq-2h"]["placement"]) == \
        ("shared-throughput", "creator")
    assert (rows["rr-1h"]["timing_model"], rows["rr-1h"]["placement"]) == ("exact", "spread")


def test_a_plot_the_report_no_longer_draws_is_removed(tmp_path):
    make_results(tmp_path, "config")
    stale = tmp_path / "report" / "plots" / "mixed_exact_wakeup_cdf.png"   # an older layout's
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"\x89PNG")
    assert main(["report", str(tmp_path)]) == 0
    assert not stale.exists()
    assert (tmp_path / "report" / "plots" / "mixed_qemu-2h-shared-throughput_timeline.png") \
        .is_file()
