-- The client-month spine: one row per client on the KLIEN sheet of a current monthly
-- submission, with the period rule for "active" and a participation summary for the month.
-- The SQL is the macro client_months_spined: the incremental facts build the same rows with every
-- staging leg filtered to the new submissions (issue 16).
{{ client_months_spined() }}
