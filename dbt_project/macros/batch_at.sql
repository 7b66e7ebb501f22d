{#- When this dbt invocation started (naive UTC timestamp): stamped on every row an incremental
    model writes, so downstream incremental marts can tell which years changed in this run.
    (The fallback only serves linters that render models without dbt's context.) -#}
{% macro batch_at() -%}
    {%- if run_started_at is defined -%}
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp)
    {%- else -%}
        cast('1970-01-01 00:00:00' as timestamp)
    {%- endif -%}
{%- endmacro %}
