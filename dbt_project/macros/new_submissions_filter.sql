-- noqa: disable=LT02
{#- Incremental facts: a predicate on `column` (a submission_id) selecting the current monthly
    submissions the target does not hold yet (first arrivals, late months, resubmissions).
    The ids are looked up first and inlined as literals so both engines push the filter down
    into the raw scans instead of recomputing the whole history. `true` on a full build.
    Models using it declare `-- depends_on: {{ ref('stg_raw__monthly_reports') }}`. -#}
{% macro new_submissions_filter(column) -%}
    {%- if is_incremental() and execute -%}
        {%- set query -%}
            select reports.submission_id
            from {{ ref('stg_raw__monthly_reports') }} as reports
            where not exists (
                select 1 from {{ this }} as existing
                where existing.submission_id = reports.submission_id
            )
        {%- endset -%}
        {%- set ids = run_query(query).columns[0].values() -%}
        {%- if ids | length == 0 -%}
            false
        {%- else -%}
            {{ column }} in (
                {%- for id in ids -%}
                    '{{ id | replace("'", "''") }}'{% if not loop.last %}, {% endif %}
                {%- endfor -%}
            )
        {%- endif -%}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
