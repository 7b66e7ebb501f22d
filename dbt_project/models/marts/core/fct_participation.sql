{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='bapas_month_key',
        on_schema_change='fail',
    )
}}
-- depends_on: {{ ref('stg_raw__monthly_reports') }}
-- depends_on: {{ ref('int_participations__matched') }}
-- One row per client per activity (PESERTA) of the current submissions. Incremental on the
-- Bapas-month, same rule as fct_client_month.
with

-- int_participations__matched's SQL with the filter on every leg (see new_submissions_filter).
participations as (
    {{ participations_matched(new_submissions_filter('submission_id', 'period')) | indent(4) }}
),

bapas as (
    select * from {{ ref('dim_bapas') }}
),

final as (
    select
        participations.bapas_month_key,
        participations.submission_id,
        participations.bapas_code,
        bapas.kanwil_code,
        participations.period,
        participations.period_month,
        participations.activity_code,
        participations.bapas_code || '|' || participations.period || '|' || participations.activity_code
            as activity_id,
        participations.register_no,
        participations.client_id,
        participations.pokmas_code,
        participations.activity_date,
        participations.activity_type,
        participations.target_need_code,
        participations.location_code,
        participations.funding_source,
        participations.attended,
        participations.completed,
        participations.outcome_code,
        participations.is_known_activity,
        participations.is_registered_client,
        participations.addresses_client_need,
        {{ batch_at() }} as batch_at
    from participations
    left join bapas
        on participations.bapas_code = bapas.bapas_code
)

select * from final
