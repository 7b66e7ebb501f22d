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
{%- set scope = new_submissions_filter('submission_id', 'period') %}
-- One row per empowerment activity of the current submissions, with participant counts and
-- the organising group's registry entry for that month.
with

activities as (
    select * from {{ ref('stg_raw__monthly_activities') }}
    where {{ scope }}
),

-- int_participations__matched's SQL with the filter on every leg (see new_submissions_filter).
participations as (
    {{ participations_matched(scope) | indent(4) }}
),

registry as (
    select * from {{ ref('stg_raw__monthly_pokmas') }}
    where {{ scope }}
),

pokmas_versions as (
    select * from {{ ref('dim_pokmas') }}
),

bapas as (
    select * from {{ ref('dim_bapas') }}
),

participant_counts as (
    select
        submission_id,
        activity_code,
        count(*) as participant_rows,
        count(case when attended then 1 end) as attended_count,
        count(case when completed then 1 end) as completed_count,
        count(case when addresses_client_need then 1 end) as need_matched_count
    from participations
    group by submission_id, activity_code
),

final as (
    select
        activities.bapas_code || '|' || activities.period as bapas_month_key,
        activities.bapas_code || '|' || activities.period || '|' || activities.activity_code as activity_id,
        activities.submission_id,
        activities.bapas_code,
        bapas.kanwil_code,
        activities.period,
        activities.period_month,
        activities.activity_code,
        activities.pokmas_code,
        pokmas_versions.pokmas_version_key,
        activities.activity_date,
        activities.activity_type,
        activities.target_need_code,
        activities.location_code,
        activities.duration_hours,
        activities.funding_source,
        cast(activities.cost_idr as numeric(18, 2)) as cost_idr,
        cast(activities.reported_participants as bigint) as reported_participants,
        cast(coalesce(participant_counts.participant_rows, 0) as bigint) as participant_rows,
        cast(coalesce(participant_counts.attended_count, 0) as bigint) as attended_count,
        cast(coalesce(participant_counts.completed_count, 0) as bigint) as completed_count,
        cast(coalesce(participant_counts.need_matched_count, 0) as bigint) as need_matched_count,
        registry.pokmas_code is not null as is_pokmas_registered,
        coalesce(registry.pokmas_status = 'AKTIF', false) as is_pokmas_active,
        coalesce(
            registry.agreement_no is not null
            and registry.agreement_date <= activities.activity_date
            and (registry.agreement_end_date is null or registry.agreement_end_date >= activities.activity_date),
            false
        ) as is_agreement_valid_on_activity_date,
        {{ batch_at() }} as batch_at
    from activities
    left join participant_counts
        on
            activities.submission_id = participant_counts.submission_id
            and activities.activity_code = participant_counts.activity_code
    left join registry
        on
            activities.submission_id = registry.submission_id
            and activities.pokmas_code = registry.pokmas_code
    left join pokmas_versions
        on
            activities.bapas_code = pokmas_versions.bapas_code
            and activities.pokmas_code = pokmas_versions.pokmas_code
            and activities.period_month >= pokmas_versions.valid_from
            and (pokmas_versions.valid_to is null or activities.period_month < pokmas_versions.valid_to)
    left join bapas
        on activities.bapas_code = bapas.bapas_code
)

select * from final
