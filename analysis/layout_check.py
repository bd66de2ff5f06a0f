"""Is a drawn figure readable: no two texts overlapping, no legend over the data.

Measured with matplotlib's own renderer (the extents it would draw), after the figure's
layout has run, so the checks see what the PNG shows. Used by the plot tests on every plot
the report draws (tests/analysis/test_plot_layout.py).
"""
from matplotlib.backends.backend_agg import FigureCanvasAgg

_SLACK = 1.0   # pixels: extents that only touch do not overlap


def _rendered(figure):
    canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else \
        FigureCanvasAgg(figure)
    canvas.draw()   # runs the layout engine, as savefig does
    return canvas.get_renderer()


def _overlap(a, b):
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > _SLACK and
            min(a.y1, b.y1) - max(a.y0, b.y0) > _SLACK)


def _axis_texts(axis):
    """The tick labels the axis draws (those in its view), its label and offset text."""
    try:
        ticks = axis._update_ticks()      # the ticks drawn: in view, major and minor
    except AttributeError:                # a matplotlib without it: every labelled tick
        ticks = axis.get_major_ticks() + axis.get_minor_ticks()
    return [label for tick in ticks for label in (tick.label1, tick.label2)
            if label.get_visible()] + [axis.label, axis.get_offset_text()]


def texts(figure):
    """[(text, extent)] of every visible, non-empty text the figure draws: titles, axis and
    tick labels, annotations, legends."""
    renderer = _rendered(figure)
    found = list(figure.texts) + ([figure._suptitle] if figure._suptitle else [])
    for axes in figure.axes:
        found += [axes.title, axes._left_title, axes._right_title, *axes.texts]
        if axes.axison:
            found += _axis_texts(axes.xaxis) + _axis_texts(axes.yaxis)
    for legend in [a.get_legend() for a in figure.axes] + list(figure.legends):
        if legend is not None:
            found += [legend.get_title(), *legend.get_texts()]
    unique = list({id(text): text for text in found}.values())   # suptitle is in texts too
    return [(text, text.get_window_extent(renderer)) for text in unique
            if text.get_visible() and text.get_text().strip()]


def overlapping_texts(figure):
    """[(text a, text b)] of every pair of texts whose extents overlap."""
    found = texts(figure)
    return [(a.get_text(), b.get_text()) for i, (a, box_a) in enumerate(found)
            for b, box_b in found[i + 1:] if _overlap(box_a, box_b)]


def legends_over_data(figure):
    """[legend title or first label] of each legend that overlaps an axes' data area."""
    renderer = _rendered(figure)
    plotted = [axes for axes in figure.axes if axes.axison and (axes.patches or axes.lines
                                                                or axes.collections)]
    over = []
    for legend in [a.get_legend() for a in figure.axes] + list(figure.legends):
        if legend is None:
            continue
        box = legend.get_window_extent(renderer)
        if any(_overlap(box, axes.get_window_extent(renderer)) for axes in plotted):
            labels = [t.get_text() for t in legend.get_texts()]
            over.append(legend.get_title().get_text() or (labels[0] if labels else "?"))
    return over


def outside_figure(figure):
    """[text] of texts that reach beyond the figure's edges (cut off in the PNG)."""
    renderer = _rendered(figure)
    width, height = figure.bbox.width, figure.bbox.height
    return [text.get_text() for text, box in texts(figure)
            if box.x0 < -_SLACK or box.y0 < -_SLACK or box.x1 > width + _SLACK
            or box.y1 > height + _SLACK] if renderer else []
