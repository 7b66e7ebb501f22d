{#- For a rollup that counts each grain in a plain group by first (issue 16: count(distinct)
    under grouping sets keeps hash tables DuckDB cannot spill). `cross join
    {{ period_grains_values() }}` repeats every month row once per grain, and
    period_grain_rows(relation) gives that row's period_grain, period and period_start from the
    month_columns() names of `relation`. Roll the result up with
    rollup_grain_columns(period_rows=true) and rollup_grouping_sets(period_rows=true). -#}
{% macro period_grains_values() -%}
    (values ('month'), ('quarter'), ('year')) as period_grains (period_grain)
{%- endmacro %}

{% macro period_grain_rows(relation) -%}
    period_grains.period_grain,
    case period_grains.period_grain
        when 'month' then {{ relation }}.month_period
        when 'quarter' then {{ relation }}.quarter_period
        else {{ relation }}.year_period
    end as period,
    case period_grains.period_grain
        when 'month' then {{ relation }}.period_month
        when 'quarter' then {{ relation }}.quarter_start
        else {{ relation }}.year_start
    end as period_start
{%- endmacro %}
