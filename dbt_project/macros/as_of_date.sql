{#- The reporting cut-off (judging day) as a SQL date literal. In order: var as_of_date (hand
    overrides only), env LIPAS_DBT_AS_OF (what lipas and Dagster pass: quality.config.judging_day),
    env LIPAS_AS_OF, else today in Asia/Jakarta (UTC+7, no daylight saving).
    The env vars are read only when `execute` is true: dbt records every env_var() read while
    parsing and re-parses the reading models when the value changes, so a new judging day each
    night would cost a re-parse; at execution time the value reaches the SQL without that. -#}
{% macro as_of_date() -%}
    {%- set value = var('as_of_date', '') -%}
    {%- if not value and execute -%}
        {%- set value = env_var('LIPAS_DBT_AS_OF', env_var('LIPAS_AS_OF', '')) -%}
    {%- endif -%}
    {%- if not value -%}
        {%- set now_utc = modules.datetime.datetime.utcnow() -%}
        {%- set value = (now_utc + modules.datetime.timedelta(hours=7)).date().isoformat() -%}
    {%- endif -%}
    cast('{{ value }}' as date)
{%- endmacro %}
