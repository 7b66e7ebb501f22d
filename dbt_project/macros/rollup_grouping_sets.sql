{#- `group by grouping sets` for the standard rollup: Bapas -> Kanwil -> national crossed with
    month -> quarter -> year, plus optional extra dimensions kept at every level and an
    optional finer geo column (e.g. pokmas_code) below Bapas. Expects the columns kanwil_code,
    bapas_code, period_month, month_period, quarter_start, quarter_period, year_start,
    year_period in the grouped relation (see rollup_grain_columns). period_rows=true: the rows
    carry period_grain, period and period_start instead (period_grain_rows), grouped as one. -#}
{% macro rollup_grouping_sets(dims=[], finest_geo=none, period_grains=['month', 'quarter', 'year'],
    period_rows=false) -%}
    {%- set periods = {
        'month': ['period_month', 'month_period'],
        'quarter': ['quarter_start', 'quarter_period'],
        'year': ['year_start', 'year_period'],
    } -%}
    {%- if period_rows -%}
        {%- set periods = {'rows': ['period_grain', 'period', 'period_start']} -%}
        {%- set period_grains = ['rows'] -%}
    {%- endif -%}
    {%- set geos = [[], ['kanwil_code'], ['kanwil_code', 'bapas_code']] -%}
    {%- if finest_geo -%}
        {%- do geos.append(['kanwil_code', 'bapas_code', finest_geo]) -%}
    {%- endif -%}
    {%- set sets = [] -%}
    {%- for geo in geos -%}
        {%- for grain in period_grains -%}
            {%- do sets.append('(' ~ (geo + periods[grain] + dims) | join(', ') ~ ')') -%}
        {%- endfor -%}
    {%- endfor -%}
    group by grouping sets (
        {{ sets | join(',\n        ') }}
    )
{%- endmacro %}
