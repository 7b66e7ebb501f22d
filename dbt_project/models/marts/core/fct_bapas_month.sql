{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='bapas_month_key',
        on_schema_change='fail',
    )
}}
-- depends_on: {{ ref('stg_raw__monthly_reports') }}
-- One row per Bapas-month with a current monthly submission. Incremental like the other facts;
-- its batch_at tells the incremental indicator marts which years changed in a run.
with

reports as (
    select * from {{ ref('stg_raw__monthly_reports') }}
    where {{ new_submissions_filter('submission_id') }}
),

bapas as (
    select * from {{ ref('dim_bapas') }}
),

final as (
    select
        reports.bapas_code || '|' || reports.period as bapas_month_key,
        reports.submission_id,
        reports.bapas_code,
        bapas.kanwil_code,
        reports.period,
        reports.period_month,
        reports.report_date,
        cast(reports.version_no as bigint) as version_no,
        reports.loaded_at,
        {{ batch_at() }} as batch_at
    from reports
    left join bapas
        on reports.bapas_code = bapas.bapas_code
)

select * from final
