{#- First day of a 'YYYY-MM' period string as a date (portable: no to_date/strptime). -#}
{% macro month_start(period_column) -%}
    cast({{ period_column }} || '-01' as date)
{%- endmacro %}
