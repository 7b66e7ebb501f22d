{#- The reporting cut-off as a SQL date literal: var as_of_date, or today in Asia/Jakarta
    (UTC+7, no daylight saving) so a run just after midnight in Jakarta counts the new day. -#}
{% macro as_of_date() -%}
    {%- set value = var('as_of_date', '') -%}
    {%- if not value -%}
        {%- set now_utc = modules.datetime.datetime.utcnow() -%}
        {%- set value = (now_utc + modules.datetime.timedelta(hours=7)).date().isoformat() -%}
    {%- endif -%}
    cast('{{ value }}' as date)
{%- endmacro %}
