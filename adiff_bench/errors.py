"""User-facing errors: the CLI prints them as one line, never a traceback."""


class AdiffBenchError(Exception):
    """A problem the user can fix; the message names the file/row/field and what to do."""


class DataError(AdiffBenchError):
    """Bad or missing dataset input (CSV, audio, predictions)."""


class ModelError(AdiffBenchError):
    """Unknown model, bad model arguments, or unavailable weights."""


class MetricUnavailable(AdiffBenchError):
    """A metric cannot run here (missing jars, Java, model); the reason is reported, never a number."""
