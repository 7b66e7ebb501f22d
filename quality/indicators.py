"""The one definition of the reporting indicators' per-report decisions (issue 13).

The expected-reports register (quality/completeness.py) stores these decisions as the columns
`counts_as_expected`, `counts_as_reported` and `counts_as_on_time` of quality.submission_status;
`mart_submission_compliance`, `lipas check` (quality/rates.py), the digest (quality/alerts/rates.py)
and the quality score (quality/score.py) count those columns and never decide again. The prose
definition lives in dbt_project/models/marts/indicators/_indicators__docs.md (`ind_reporting_rate`).
"""

from __future__ import annotations


def indicator_flags(status: str, accepted: bool, on_time: bool) -> tuple[bool, bool, bool]:
    """(counts_as_expected, counts_as_reported, counts_as_on_time) of one register row.

    DHIS2's rule: a report counts as reported when an accepted version exists; a submission
    that was only rejected does not (the office still owes a valid report), and a held file is
    not an arrival at all. Expected: every owed report except one not yet due (deadline not
    passed and nothing arrived). On time: reported, and the first accepted version arrived by
    the deadline (Asia/Jakarta date).
    """
    expected = status != "not_yet_due"
    reported = expected and accepted
    return expected, reported, reported and on_time
