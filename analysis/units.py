"""Figures written for reading: a time in the unit that suits it (38.2 µs, 30.0 ms, not
30003523 ns), rates and ratios to three significant digits.

For display only: metrics.json and summary.csv keep the exact values. A column of a table
shares one unit (column_time_unit), so its cells can be compared by eye.
"""

# (unit, ns per unit), smallest first
TIME_UNITS = (("ns", 1), ("µs", 1e3), ("ms", 1e6), ("s", 1e9))


def time_unit(ns):
    """The largest unit in which |ns| is at least 1 (ns for values below 1 µs)."""
    chosen = TIME_UNITS[0]
    for unit in TIME_UNITS:
        if abs(ns) >= unit[1]:
            chosen = unit
    return chosen


def column_time_unit(values_ns):
    """One unit for a column: the one that suits its largest value, so no cell reads 30003 µs
    next to 30.0 ms; ns for a column of no values."""
    values = [abs(v) for v in values_ns if v is not None]
    return time_unit(max(values)) if values else TIME_UNITS[0]


def significant(value, digits=3):
    """value to `digits` significant digits, trailing zeros kept (30.0), without an exponent
    below 10^6 (1234 stays 1234, not 1.23e+03); integers below 10^digits as they are."""
    if value is None:
        return "n/a"
    if isinstance(value, int) and abs(value) < 10 ** digits:
        return str(value)
    if value == 0:
        return "0"
    if abs(value) >= 10 ** digits and abs(value) < 1e6:
        return f"{value:.0f}"
    # "#": keep trailing zeros (30.0 ms, not 30 ms: the digits say the precision)
    return f"{value:#.{digits}g}".rstrip(".")


def format_time(ns, unit=None):
    """ns in `unit` ((name, scale) from TIME_UNITS; default the one that suits it):
    "38.2 µs"."""
    if ns is None:
        return "n/a"
    name, scale = unit or time_unit(ns)
    return f"{significant(ns / scale if scale != 1 else ns)} {name}"


def format_ratio(value):
    """A fraction as a percentage: 0.0573 -> 5.73%; 0 -> 0%."""
    return "n/a" if value is None else f"{significant(value * 100)}%"


def format_factor(value):
    """A value relative to the baseline's: ×0.412."""
    return "n/a" if value is None else f"×{significant(value)}"
