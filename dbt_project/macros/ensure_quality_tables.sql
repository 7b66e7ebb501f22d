{#- Create the quality layer's tables empty when quality has not run yet, so a first build never
    fails. Columns follow docs/architecture.md exactly (quality/store.py owns them). -#}
{% macro ensure_quality_tables() -%}
    {%- if execute -%}
        {%- set statements = [
            "create schema if not exists quality",
            "create table if not exists quality.submission_status (
                kode_bapas varchar, kode_kanwil varchar, report_kind varchar, periode varchar,
                deadline date, received boolean, first_received_at timestamp, accepted boolean,
                on_time boolean, status varchar, days_overdue integer, possibly_inactive boolean,
                current_submission_id varchar, as_of_date date)",
            "create table if not exists quality.submission_scores (
                kode_bapas varchar, report_kind varchar, periode varchar,
                completeness_score double precision, timeliness_score double precision,
                findings_score double precision, quality_score double precision,
                open_errors integer, open_warnings integer, computed_at timestamp)",
        ] -%}
        {%- for statement in statements -%}
            {%- do run_query(statement) -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
