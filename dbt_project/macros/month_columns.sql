{#- Import CTE body for the month rows of dim_period, renamed to the column names that
    rollup_grouping_sets / rollup_grain_columns expect. Join on month_period = fact.period. -#}
{% macro month_columns() -%}
    select
        period as month_period,
        period_start as period_month,
        quarter_period,
        quarter_start,
        year_period,
        year_start
    from {{ ref('dim_period') }}
    where period_grain = 'month'
{%- endmacro %}
