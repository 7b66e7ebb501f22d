{#- Ratio as double precision, null when the denominator is zero or null, so a rate is never
    silently 0 and integer division never truncates on PostgreSQL. -#}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as double precision) / nullif(cast({{ denominator }} as double precision), 0))
{%- endmacro %}
