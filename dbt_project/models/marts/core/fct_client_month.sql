{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='bapas_month_key',
        on_schema_change='fail',
    )
}}
-- depends_on: {{ ref('stg_raw__monthly_reports') }}
-- depends_on: {{ ref('int_client_months__spined') }}
{%- set scope = new_submissions_filter('submission_id', 'period') %}
-- One row per client per Bapas-month of the current submissions. Incremental on the Bapas-month:
-- a Bapas-month is (re)processed when the target does not already hold its current submission
-- (first arrival, late arrival for an old month, or a resubmission), and delete+insert replaces
-- exactly that Bapas-month.
with

-- int_client_months__spined's SQL with the filter on every leg (see new_submissions_filter).
client_months as (
    {{ client_months_spined(scope) | indent(4) }}
),

needs as (
    select * from {{ ref('fct_client_need') }}
    where {{ scope }}
),

bapas as (
    select * from {{ ref('dim_bapas') }}
),

need_summary as (
    select
        submission_id,
        register_no,
        count(*) as need_count,
        count(case when is_need_addressed then 1 end) as needs_addressed_count
    from needs
    group by submission_id, register_no
),

final as (
    select
        client_months.bapas_month_key,
        client_months.submission_id,
        client_months.bapas_code,
        bapas.kanwil_code,
        client_months.period,
        client_months.period_month,
        client_months.register_no,
        client_months.client_id,
        client_months.client_key,
        client_months.sex,
        cast(client_months.age_at_period_end as integer) as age_at_period_end,
        client_months.client_category,
        client_months.programme_code,
        client_months.supervision_start_date,
        client_months.planned_end_date,
        client_months.month_end_status,
        client_months.status_date,
        client_months.is_active_in_month,
        client_months.is_revoked_in_month,
        client_months.new_offence,
        cast(client_months.checkins_scheduled as bigint) as checkins_scheduled,
        cast(client_months.checkins_attended as bigint) as checkins_attended,
        cast(coalesce(need_summary.need_count, 0) as bigint) as need_count,
        cast(coalesce(need_summary.needs_addressed_count, 0) as bigint) as needs_addressed_count,
        cast(client_months.participation_rows as bigint) as participation_rows,
        cast(client_months.activities_attended as bigint) as activities_attended,
        cast(client_months.activities_completed as bigint) as activities_completed,
        client_months.activities_attended > 0 as is_reached,
        {{ batch_at() }} as batch_at
    from client_months
    left join need_summary
        on
            client_months.submission_id = need_summary.submission_id
            and client_months.register_no = need_summary.register_no
    left join bapas
        on client_months.bapas_code = bapas.bapas_code
)

select * from final
