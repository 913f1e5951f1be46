"""A PNG of accuracy against context length, one line per strategy.

matplotlib is a ``[bench]`` extra and is imported only here, with the Agg backend, so
plots render on machines with no display.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from lcagent.bench.reference import BenchDependencyMissing, INSTALL_HINT
from lcagent.bench.run import Row
from lcagent.bench.sample import format_length
from lcagent.bench.summary import summarise


def plot(rows: Iterable[Row], path: str | Path, *, tasks: Iterable[str] | None = None,
         title: str = "Accuracy vs context length") -> Path:
    """Plot mean accuracy over ``tasks`` (default: all in ``rows``) per length and strategy."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as pyplot
    except ImportError as error:
        raise BenchDependencyMissing(f"plotting needs matplotlib: run `{INSTALL_HINT}`") from error

    wanted = set(tasks) if tasks is not None else None
    summary = summarise(row for row in rows if wanted is None or row.task in wanted)
    if not summary.cells:
        raise ValueError("no rows to plot: run the benchmark first, or check the task names")
    lengths = sorted({cell.length for cell in summary.cells})

    figure, axes = pyplot.subplots(figsize=(7, 4.5), dpi=120)
    for stats in summary.strategies:
        points = []
        for length in lengths:
            scores = [cell.accuracy for cell in summary.cells
                      if cell.length == length and cell.strategy == stats.strategy]
            if scores:
                points.append((length, sum(scores) / len(scores)))
        axes.plot([x for x, _ in points], [y for _, y in points], marker="o", label=stats.strategy)
    axes.set_xscale("log", base=2)
    axes.set_xticks(lengths, [format_length(length) for length in lengths])
    axes.set_ylim(-2, 102)
    axes.set_xlabel("context length (cl100k tokens)")
    axes.set_ylabel("accuracy (%)")
    axes.set_title(title)
    axes.grid(True, alpha=0.3)
    axes.legend()
    figure.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out)
    pyplot.close(figure)
    return out
