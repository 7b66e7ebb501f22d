{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='bapas_month_key',
        on_schema_change='fail',
    )
}}
-- depends_on: {{ ref('stg_raw__monthly_reports') }}
-- depends_on: {{ ref('int_client_needs__exploded') }}
-- One row per client-month and Litmas need code, with whether an attended activity addressed
-- it that month. Incremental on the Bapas-month like fct_client_month.
with

-- int_client_needs__exploded's SQL with the filter on every leg (see new_submissions_filter).
client_needs as (
    {{ client_needs_exploded(new_submissions_filter('submission_id', 'period')) | indent(4) }}
),

bapas as (
    select * from {{ ref('dim_bapas') }}
),

final as (
    select
        client_needs.bapas_month_key,
        client_needs.submission_id,
        client_needs.bapas_code,
        bapas.kanwil_code,
        client_needs.period,
        client_needs.period_month,
        client_needs.register_no,
        client_needs.client_id,
        client_needs.need_code,
        client_needs.is_active_in_month,
        client_needs.is_need_addressed,
        {{ batch_at() }} as batch_at
    from client_needs
    left join bapas
        on client_needs.bapas_code = bapas.bapas_code
)

select * from final
