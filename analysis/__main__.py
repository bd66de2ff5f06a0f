"""python3 -m analysis: metrics, plots and a text listing of SchedLab traces.

  python3 -m analysis metrics TRACE.bin -o metrics.json [--sched NAME]
  python3 -m analysis plot DIR... -o OUTDIR      (each DIR holds a metrics.json)
  python3 -m analysis dump TRACE.bin
  python3 -m analysis report RESULTS_DIR         (report/index.html, plots, summary.csv)
  python3 -m analysis perfetto TRACE.bin OUT.json

Exit status 0 on success, 1 when an input cannot be used (the message says which and why),
2 for bad usage.
"""
import argparse
import json
import os
import sys
from pathlib import Path

from . import AnalysisError
from .atomic_file import write_atomically

# The distributions plot_command draws, and how their plots are named and labelled.
CDF_PLOTS = (("wakeup_latency_ns", "wakeup latency", "wakeup_latency_cdf"),
             ("request_latency_ns", "request latency", "request_latency_cdf"),
             ("service_time_ns", "service time", "service_time_cdf"))


class InputError(AnalysisError):
    """An input the command cannot use; reported as `error: ...` with exit status 1."""


def metrics_command(args):
    from .decode import decode
    from .metrics import compute_metrics, metrics_json

    metrics = compute_metrics(decode(args.trace, allow_partial=args.partial), args.sched)
    if args.output == "-":
        sys.stdout.write(metrics_json(metrics))
    else:
        write_atomically(args.output, metrics_json(metrics))
    if metrics["warning"]:
        print(f"warning: {args.trace}: {metrics['warning']}", file=sys.stderr)


def _read_json(path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise InputError(f"{path}: cannot read: {error}") from None


def _load_runs(directories):
    """(workload or None, scheduler name, metrics) per directory. The scheduler is the one
    metrics.json names, else the directory's name; the workload comes from the run.json the
    runner leaves next to it, if any."""
    runs = []
    for directory in map(Path, directories):
        metrics_path = directory / "metrics.json"
        if not metrics_path.is_file():
            raise InputError(f"{directory}: no metrics.json (make it with "
                             f"`python3 -m analysis metrics TRACE.bin -o {metrics_path}`)")
        metrics = _read_json(metrics_path)
        run_path = directory / "run.json"
        workload = _read_json(run_path).get("workload") if run_path.is_file() else None
        runs.append((workload, metrics.get("scheduler") or directory.resolve().name, metrics))
    return runs


def _titled(workload, group):
    """The workload as a plot title names it, with the runs' timing model when they share one
    (a multi-hart icount figure must say it is shared-throughput)."""
    from .timing_model import label
    models = {(metrics.get("timing_model"), metrics.get("trace_header", {}).get("nharts"))
              for _, metrics in group}
    if len(models) != 1 or None in next(iter(models)):
        return workload
    model, harts = next(iter(models))
    return f"{workload or 'run'}\n{label(model, harts)}"


def plot_command(args):
    from .plot import latency_cdf

    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    runs = _load_runs(args.dirs)
    # Only runs of the same workload are comparable, so each workload gets its own plots.
    for workload in sorted({workload for workload, _, _ in runs}, key=lambda w: w or ""):
        group = sorted(((name, metrics) for w, name, metrics in runs if w == workload),
                       key=lambda run: run[0])
        for metric, quantity, stem in CDF_PLOTS:
            if any(metric not in metrics or "samples" not in metrics[metric]
                   for _, metrics in group):
                raise InputError(f"a metrics.json of workload {workload} lacks {metric}.samples; "
                                 f"recompute it with `python3 -m analysis metrics`")
            path = out / (f"{stem}_{workload}.png" if workload else f"{stem}.png")
            if latency_cdf(group, path, metric, quantity, _titled(workload, group), args.log_x):
                print(f"wrote {path}")
            else:
                print(f"skipped {path}: no {quantity} samples")


def describe_record(record, fmt):
    """One record as a line of text: time, hart, event name and its named arguments, enum
    values by name and THREAD_NAME's chars as text."""
    event = fmt.events_by_value.get(int(record["type"]))
    where = f"{record['time_ns']:>14} h{record['hart']:<2}"
    if event is None:  # a type this trace.h does not define: show the raw fields
        args = [f"{field}={record[field]}" for field in fmt.record.names
                if field not in ("time_ns", "type", "hart")]
        return f"{where} type={record['type']} {' '.join(args)}"
    args = []
    for name, field in event.named_args():
        value = int(record[field])
        enum = fmt.arg_enum(event, name)
        if name == "chars":
            shown = repr(value.to_bytes(8, "little").rstrip(b"\0").decode("utf-8", "replace"))
        elif enum is not None and enum.short_name(value) is not None:
            shown = enum.short_name(value)
        else:
            shown = str(value)
        args.append(f"{name}={shown}")
    return f"{where} {event.name:<12} {' '.join(args)}".rstrip()


def dump_command(args):
    from .decode import decode

    trace = decode(args.trace, allow_partial=args.partial)
    header = " ".join(f"{name}={value}" for name, value in trace.header.items())
    dropped = " ".join(f"h{hart}={count}" for hart, count in sorted(trace.dropped_by_hart.items()))
    print(f"# {args.trace}: {header}")
    print(f"# {len(trace.records)} records, dropped: {dropped}"
          + (", TRUNCATED" if trace.truncated else ""))
    for record in trace.records:
        print(describe_record(record, trace.format))


def report_command(args):
    from .report import write_report

    if not Path(args.results).is_dir():
        raise InputError(f"{args.results}: not a directory")
    index = write_report(args.results, int(args.window_ms * 1e6) if args.window_ms else None,
                         args.baseline)
    print(f"wrote {index}")


def _positive_ms(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: '{text}'") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be above 0 ms: '{text}'")
    return value


def perfetto_command(args):
    from .decode import decode
    from .perfetto import write_perfetto

    trace = decode(args.trace, allow_partial=args.partial)
    write_perfetto(trace, args.output)
    print(f"wrote {args.output}")


def parser():
    top = argparse.ArgumentParser(prog="python3 -m analysis",
                                  description="Decode SchedLab traces (trace.bin), compute "
                                              "their metrics and plot them.")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    metrics = commands.add_parser("metrics", help="compute metrics.json from a trace",
                                  description="Compute the metrics of a trace as JSON.")
    metrics.add_argument("trace", metavar="TRACE.bin")
    metrics.add_argument("-o", "--output", default="-", metavar="FILE",
                         help="where to write the JSON (default: standard output)")
    metrics.add_argument("--sched", metavar="NAME", help="the scheduler that ran, recorded in "
                                                         "the JSON and used to label plots")
    metrics.add_argument("--partial", action="store_true",
                         help="accept a truncated trace (the metrics say it is lossy)")
    metrics.set_defaults(run=metrics_command)

    plot = commands.add_parser("plot", help="plot one or several metrics.json",
                               description="Plot the metrics.json in each DIR; runs of the same "
                                           "workload (from DIR/run.json) share a figure.")
    plot.add_argument("dirs", nargs="+", metavar="DIR")
    plot.add_argument("-o", "--output", required=True, metavar="OUTDIR")
    plot.add_argument("--log-x", action="store_true", help="logarithmic latency axis")
    plot.set_defaults(run=plot_command)

    dump = commands.add_parser("dump", help="list a trace's records as text",
                               description="List every record, merged across harts in time "
                                           "order, with event and argument names.")
    dump.add_argument("trace", metavar="TRACE.bin")
    dump.add_argument("--partial", action="store_true", help="accept a truncated trace")
    dump.set_defaults(run=dump_command)

    report = commands.add_parser("report", help="write RESULTS_DIR/report/index.html",
                                 description="Plot every workload's runs side by side and "
                                             "write a static report page with the headline "
                                             "figures and each run's configuration, plus "
                                             "summary.csv.")
    report.add_argument("results", metavar="RESULTS_DIR")
    report.add_argument("--window-ms", type=_positive_ms, metavar="MS",
                        help="length of the per-hart timelines from each workload's begin, "
                             "the same for every configuration (default: the whole workload)")
    report.add_argument("--baseline", metavar="NAME",
                        help="the configuration figures are normalised to, e.g. rr or "
                             "'rr[timeslice_us=2000]' (default rr)")
    report.set_defaults(run=report_command)

    perfetto = commands.add_parser("perfetto", help="export a trace for ui.perfetto.dev",
                                   description="Write Chrome/Perfetto trace-event JSON: a "
                                               "track per hart and per thread.")
    perfetto.add_argument("trace", metavar="TRACE.bin")
    perfetto.add_argument("output", metavar="OUT.json")
    perfetto.add_argument("--partial", action="store_true", help="accept a truncated trace")
    perfetto.set_defaults(run=perfetto_command)
    return top


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        args.run(args)
    except AnalysisError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except ModuleNotFoundError as error:
        print(f"error: Python module {error.name} is missing; the analysis needs Debian's "
              f"python3-numpy and python3-matplotlib, run by /usr/bin/python3", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader (dump | head) left; stop quietly, and keep Python from complaining at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError as error:
        print(f"error: {error.filename or ''}: {error.strerror}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
