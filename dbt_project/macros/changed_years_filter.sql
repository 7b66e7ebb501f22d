-- noqa: disable=LT02
{#- Incremental indicator marts: a predicate on `month_column` (a first-of-month date) selecting
    the years that contain a Bapas-month (re)processed since the mart was last built, read from
    fct_bapas_month.batch_at. A changed year is recomputed whole (its months, quarters and the
    year row at every geo level), so the work per run is bounded by one year, not the history.
    The years come as a date range on the column itself as well as the exact list: DuckDB skips
    row groups by a range on a stored column, never by `extract(year ...)` of it, and the facts
    arrive in period order, so a night reads the changed years' row groups instead of scanning
    ten years of period_month (issue 16). `true` on a full build. Models using it declare
    `-- depends_on: {{ ref('fct_bapas_month') }}`. -#}
{% macro changed_years_filter(month_column) -%}
    {%- if is_incremental() and execute -%}
        {%- set query -%}
            select distinct cast(extract(year from months.period_month) as integer) as changed_year
            from {{ ref('fct_bapas_month') }} as months
            where months.batch_at > (
                select coalesce(max(existing.batch_at), cast('1900-01-01' as timestamp))
                from {{ this }} as existing
            )
        {%- endset -%}
        {%- set years = run_query(query).columns[0].values() | map('int') | list -%}
        {%- if years | length == 0 -%}
            false
        {%- else -%}
            {{ month_column }} >= cast('{{ years | min }}-01-01' as date)
            and {{ month_column }} < cast('{{ (years | max) + 1 }}-01-01' as date)
            and cast(extract(year from {{ month_column }}) as integer) in ({{ years | join(', ') }})
        {%- endif -%}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
