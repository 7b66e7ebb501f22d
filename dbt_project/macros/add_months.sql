{#- date + n months as a date. `date + n * interval '1 month'` means the same on DuckDB and
    PostgreSQL (both clamp to the month end), so no adapter.dispatch is needed; plain SQL also
    keeps sqlfluff's jinja templater able to parse the models. -#}
{% macro add_months(date_expr, months) -%}
    cast(({{ date_expr }}) + ({{ months }}) * interval '1 month' as date)
{%- endmacro %}
