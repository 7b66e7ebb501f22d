-- noqa: disable=LT02
{#- Incremental indicator marts: a predicate on `year_column` (an integer year) selecting the
    years that contain a Bapas-month (re)processed since the mart was last built, read from
    fct_bapas_month.batch_at. A changed year is recomputed whole (its months, quarters and the
    year row at every geo level), so the work per run is bounded by one year, not the history.
    `true` on a full build. Models using it declare `-- depends_on: {{ ref('fct_bapas_month') }}`. -#}
{% macro changed_years_filter(year_column) -%}
    {%- if is_incremental() and execute -%}
        {%- set query -%}
            select distinct cast(extract(year from months.period_month) as integer) as changed_year
            from {{ ref('fct_bapas_month') }} as months
            where months.batch_at > (
                select coalesce(max(existing.batch_at), cast('1900-01-01' as timestamp))
                from {{ this }} as existing
            )
        {%- endset -%}
        {%- set years = run_query(query).columns[0].values() -%}
        {%- if years | length == 0 -%}
            false
        {%- else -%}
            {{ year_column }} in ({{ years | map('int') | join(', ') }})
        {%- endif -%}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
