{#- One staging leg of an intermediate's SQL: every row of `relation`, or only the rows
    `scope` selects (a predicate on submission_id; none in the views). See
    new_submissions_filter for why every leg is filtered rather than the view. -#}
{% macro scoped_rows(relation, scope=none) -%}
    select * from {{ relation }}
    {%- if scope is not none %}
    where {{ scope }}
    {%- endif %}
{%- endmacro %}
