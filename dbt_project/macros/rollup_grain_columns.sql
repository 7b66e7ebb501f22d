-- noqa: disable=LT02,LT05
{#- The four grain columns every indicator mart starts with, derived from grouping():
    geo_level (pokmas|bapas|kanwil|national), geo_code, period_grain (month|quarter|year),
    period ('2025-01', '2025-Q1', '2025') and period_start. Use with rollup_grouping_sets.
    period_rows=true: the rows already carry period_grain, period and period_start (one grain
    per row, see period_grain_rows), passed through as they are. -#}
{% macro rollup_grain_columns(finest_geo=none, period_grains=['month', 'quarter', 'year'],
    period_rows=false) -%}
    case
        {%- if finest_geo %}
        when grouping({{ finest_geo }}) = 0 then 'pokmas'
        {%- endif %}
        when grouping(bapas_code) = 0 then 'bapas'
        when grouping(kanwil_code) = 0 then 'kanwil'
        else 'national'
    end as geo_level,
    case
        {%- if finest_geo %}
        when grouping({{ finest_geo }}) = 0 then {{ finest_geo }}
        {%- endif %}
        when grouping(bapas_code) = 0 then bapas_code
        when grouping(kanwil_code) = 0 then kanwil_code
        else 'ID'
    end as geo_code,
    {%- set grains = {
        'month': ['month_period', 'period_month'],
        'quarter': ['quarter_period', 'quarter_start'],
        'year': ['year_period', 'year_start'],
    } %}
    {%- if period_rows %}
    period_grain,
    period,
    period_start
    {%- else %}
    {%- for output, position, literal in [('period_grain', none, true), ('period', 0, false), ('period_start', 1, false)] %}
    {%- if period_grains | length == 1 %}
    {% if literal %}'{{ period_grains[0] }}'{% else %}{{ grains[period_grains[0]][position] }}{% endif %} as {{ output }}
    {%- else %}
    case
        {%- for grain in period_grains[:-1] %}
        when grouping({{ grains[grain][0] }}) = 0
            then {% if literal %}'{{ grain }}'{% else %}{{ grains[grain][position] }}{% endif %}
        {%- endfor %}
        else {% if literal %}'{{ period_grains[-1] }}'{% else %}{{ grains[period_grains[-1]][position] }}{% endif %}
    end as {{ output }}
    {%- endif %}
    {%- if not loop.last %},{% endif %}
    {%- endfor %}
    {%- endif %}
{%- endmacro %}
