{#- Custom schemas are used as-is (staging, intermediate, marts, reference): analysts query
    stable schema names on both engines instead of <target>_<custom> prefixes. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
