-- One row per participant row (client x activity) of the current submissions, with the
-- activity's attributes and whether the activity addressed one of the client's Litmas needs.
-- The SQL is the macro participations_matched: the incremental facts build the same rows with every
-- staging leg filtered to the new submissions (issue 16).
{{ participations_matched() }}
