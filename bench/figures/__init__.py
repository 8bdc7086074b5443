"""One module per measurement; each adds its rows and notes to a ``bench.report.Report``."""
