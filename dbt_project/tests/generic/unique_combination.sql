{#- Composite primary key: no two rows share the same values of combination_of_columns
    (our replacement for dbt_utils.unique_combination_of_columns; no package hub here). -#}
{% test unique_combination(model, combination_of_columns) %}

with

keyed as (
    select
        {{ combination_of_columns | join(',\n        ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
),

final as (
    select * from keyed
    where row_count > 1
)

select * from final

{% endtest %}
