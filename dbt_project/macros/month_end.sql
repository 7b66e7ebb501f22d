{#- Last day of the month that starts on `month_start_expr` (a first-of-month date). -#}
{% macro month_end(month_start_expr) -%}
    cast(({{ month_start_expr }}) + interval '1 month' - interval '1 day' as date)
{%- endmacro %}
