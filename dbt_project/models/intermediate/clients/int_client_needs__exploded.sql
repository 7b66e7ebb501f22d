-- One row per client-month and Litmas need code, with whether an attended activity in the
-- same month addressed that need. Codes outside the kebutuhan list are not exploded (the
-- quality layer reports them).
-- The SQL is the macro client_needs_exploded: the incremental facts build the same rows with every
-- staging leg filtered to the new submissions (issue 16).
{{ client_needs_exploded() }}
