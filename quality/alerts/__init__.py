"""Quality-alert summaries, fix-lists and notices, and their delivery by email.

Builders are pure (results in, Markdown/HTML/JSON out); `run_report` wires loading, rendering,
the outbox and SMTP delivery for the CLI and the nightly Dagster job.
"""

from quality.alerts.model import ReportResult
from quality.alerts.operators import notify_operators
from quality.alerts.run import run_report

__all__ = ["ReportResult", "notify_operators", "run_report"]
