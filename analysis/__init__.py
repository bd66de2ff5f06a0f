"""SchedLab's host-side analysis: decode trace.bin files (driven by include/schedlab/trace.h),
compute scheduling metrics, plot them. Run it as `python3 -m analysis` (see __main__.py).
"""


class AnalysisError(Exception):
    """An input the analysis cannot use (trace.h, a trace, a metrics.json); the message names
    it and says what is wrong. Defined here, free of numpy, so the CLI can catch it even when
    parsing trace.h fails on import."""
