"""How long a batch of runs has left, right from its first runs.

One mean over all finished runs misleads: a compare mixes QEMU runs and simulator runs whose
wall times differ a hundredfold, and workloads that differ tenfold, and the short runs finish
first. So each run is predicted from the finished runs most like it -- the same engine,
workload and harts; else the same engine and workload; else the same engine -- and an engine
no run has finished on yet is predicted from the mean of all finished runs or, if longer, from
how long its runs in flight have been going (a bound that grows until one finishes): too long
rather than too short, until its first run ends, which for the fast engine is soon. A run in
flight counts what it has left of its prediction. The runs left go `parallel` at a time, and
the batch cannot end before its longest run does.
"""
import threading
import time


def _kinds(request):
    """Ways to match a request with finished runs, the most alike first."""
    engine = getattr(request, "engine", "qemu")
    return [(engine, request.workload, request.cpus), (engine, request.workload), (engine,)]


class BatchClock:
    """started(request) when a run begins, finished(request, seconds) when it ends (from any
    thread); remaining() is the estimate, None before anything is known."""

    def __init__(self, requests, parallel, clock=time.monotonic):
        self.unfinished = {id(request): request for request in requests}
        self.parallel, self.clock = max(1, parallel), clock
        self.began = {}            # id(request) -> start time, while it runs
        self.durations = {}        # kind -> [seconds of finished runs]
        self.lock = threading.Lock()

    def started(self, request):
        with self.lock:
            self.began[id(request)] = self.clock()

    def finished(self, request, seconds):
        with self.lock:
            self.unfinished.pop(id(request), None)
            self.began.pop(id(request), None)
            for kind in _kinds(request):
                self.durations.setdefault(kind, []).append(seconds)

    def _prediction(self, request, now):
        for kind in _kinds(request):
            if kind in self.durations:
                return sum(self.durations[kind]) / len(self.durations[kind])
        engine = _kinds(request)[-1]
        going = [now - self.began[key] for key, other in self.unfinished.items()
                 if key in self.began and _kinds(other)[-1] == engine]
        every = [s for kind, seconds in self.durations.items() if len(kind) == 1 for s in seconds]
        guesses = [max(going)] if going else []
        if every:
            guesses.append(sum(every) / len(every))
        return max(guesses) if guesses else None

    def remaining(self):
        with self.lock:
            now = self.clock()
            left = []
            for key, request in self.unfinished.items():
                predicted = self._prediction(request, now)
                if predicted is None:
                    return None
                elapsed = now - self.began[key] if key in self.began else 0
                left.append(max(predicted - elapsed, 0))
            if not left:
                return 0
            return max(sum(left) / self.parallel, max(left))
