-- depends_on: {{ ref('fct_bapas_month') }}
-- Pokmas performance per group, Bapas, Kanwil and nationally: registry state, activities,
-- reach, attendance/completion, outcomes, cost per participant and the two-group minimum.
with

registry as (
    select * from {{ ref('stg_raw__monthly_pokmas') }}
    where {{ changed_years_filter('cast(extract(year from period_month) as integer)') }}
),

reports as (
    select * from {{ ref('stg_raw__monthly_reports') }}
    where {{ changed_years_filter('cast(extract(year from period_month) as integer)') }}
),

activities as (
    select * from {{ ref('fct_activity') }}
    where {{ changed_years_filter('cast(extract(year from period_month) as integer)') }}
),

participations as (
    select * from {{ ref('fct_participation') }}
    where {{ changed_years_filter('cast(extract(year from period_month) as integer)') }}
),

bapas as (
    select * from {{ ref('dim_bapas') }}
),

codes as (
    select * from {{ ref('ref_codes') }}
),

months as (
    {{ month_columns() }}
),

-- The fields every Bapas must cover are a business rule kept in the seed (ref_codes.is_mandated).
mandated_fields as (
    select code as field_code from codes
    where code_list = 'bidang_pokmas' and is_mandated
),

registry_months as (
    select
        registry.bapas_code,
        registry.period,
        registry.pokmas_code,
        registry.field_code,
        registry.pokmas_status = 'AKTIF' as is_active,
        -- PKS state at month end: valid when signed by then and not yet expired.
        case
            when registry.agreement_no is null then 'none'
            when registry.agreement_end_date < {{ month_end('registry.period_month') }}
                then 'expired'
            when
                registry.agreement_date is null
                or registry.agreement_date <= {{ month_end('registry.period_month') }}
                then 'valid'
            else 'not_yet_signed'
        end as agreement_state
    from registry
),

qualifying_groups as (
    -- Active groups with a valid PKS in a mandated field.
    select
        registry_months.bapas_code,
        registry_months.period,
        registry_months.field_code
    from registry_months
    inner join mandated_fields
        on registry_months.field_code = mandated_fields.field_code
    where registry_months.is_active and registry_months.agreement_state = 'valid'
),

bapas_month_compliance as (
    -- The minimum: at least one active group with a valid PKS in each mandated field
    -- (today law and community, and self-reliance and personality: at least two groups).
    select
        reports.bapas_code,
        reports.period,
        count(distinct qualifying_groups.field_code) = (select count(*) from mandated_fields)
            as meets_two_group_minimum
    from reports
    left join qualifying_groups
        on
            reports.bapas_code = qualifying_groups.bapas_code
            and reports.period = qualifying_groups.period
    group by reports.bapas_code, reports.period
),

unioned as (
    select
        'registry' as row_type,
        bapas_code,
        period,
        pokmas_code,
        is_active,
        agreement_state,
        cast(null as boolean) as meets_two_group_minimum,
        cast(null as text) as activity_id,
        cast(null as numeric(18, 2)) as cost_idr,
        cast(null as text) as client_id,
        cast(null as boolean) as attended,
        cast(null as boolean) as completed,
        cast(null as text) as outcome_code
    from registry_months

    union all

    select
        'bapas_month' as row_type,
        bapas_code,
        period,
        null as pokmas_code,
        null as is_active,
        null as agreement_state,
        meets_two_group_minimum,
        null as activity_id,
        null as cost_idr,
        null as client_id,
        null as attended,
        null as completed,
        null as outcome_code
    from bapas_month_compliance

    union all

    select
        'activity' as row_type,
        bapas_code,
        period,
        pokmas_code,
        null as is_active,
        null as agreement_state,
        null as meets_two_group_minimum,
        activity_id,
        cost_idr,
        null as client_id,
        null as attended,
        null as completed,
        null as outcome_code
    from activities

    union all

    select
        'participation' as row_type,
        bapas_code,
        period,
        pokmas_code,
        null as is_active,
        null as agreement_state,
        null as meets_two_group_minimum,
        activity_id,
        null as cost_idr,
        client_id,
        attended,
        completed,
        outcome_code
    from participations
),

base as (
    select
        bapas.kanwil_code,
        unioned.bapas_code,
        unioned.pokmas_code,
        months.period_month,
        months.month_period,
        months.quarter_start,
        months.quarter_period,
        months.year_start,
        months.year_period,
        unioned.row_type,
        unioned.bapas_code || '|' || unioned.pokmas_code as pokmas_id,
        unioned.bapas_code || '|' || unioned.period as bapas_month_key,
        unioned.is_active,
        unioned.agreement_state,
        unioned.meets_two_group_minimum,
        unioned.activity_id,
        unioned.cost_idr,
        unioned.client_id,
        unioned.attended,
        unioned.completed,
        unioned.outcome_code
    from unioned
    inner join months
        on unioned.period = months.month_period
    left join bapas
        on unioned.bapas_code = bapas.bapas_code
),

aggregated as (
    select
        {{ rollup_grain_columns(finest_geo='pokmas_code') }},
        -- Null above Bapas level: grouping sets null the columns they roll up.
        bapas_code,
        count(distinct case when row_type = 'registry' then pokmas_id end) as registered_groups,
        count(distinct case when row_type = 'registry' and is_active then pokmas_id end) as active_groups,
        count(distinct case when row_type = 'registry' and not is_active then pokmas_id end) as inactive_groups,
        count(distinct case when row_type = 'registry' and agreement_state = 'valid' then pokmas_id end)
            as groups_agreement_valid,
        count(distinct case when row_type = 'registry' and agreement_state = 'expired' then pokmas_id end)
            as groups_agreement_expired,
        count(distinct case when row_type = 'registry' and agreement_state = 'none' then pokmas_id end)
            as groups_without_agreement,
        count(distinct case when row_type = 'activity' then activity_id end) as activities,
        count(case when row_type = 'participation' then 1 end) as participations,
        count(case when row_type = 'participation' and attended then 1 end) as attended_participations,
        count(case when row_type = 'participation' and completed then 1 end) as completed_participations,
        count(distinct case when row_type = 'participation' and attended then client_id end) as clients_reached,
        count(distinct case when outcome_code = 'BEKERJA' then client_id end) as clients_employed,
        count(distinct case when outcome_code = 'USAHA_MANDIRI' then client_id end) as clients_self_employed,
        count(distinct case when outcome_code = 'LANJUT_PENDIDIKAN' then client_id end) as clients_further_education,
        count(distinct case when outcome_code = 'SERTIFIKAT' then client_id end) as clients_certified,
        cast(coalesce(sum(cost_idr), 0) as numeric(18, 2)) as total_cost_idr,
        count(distinct case when row_type = 'bapas_month' then bapas_month_key end) as bapas_months_reported,
        count(distinct case when row_type = 'bapas_month' and meets_two_group_minimum then bapas_month_key end)
            as bapas_months_meeting_minimum
    from base
    {{ rollup_grouping_sets(finest_geo='pokmas_code') }}
    -- Bapas-month rows carry no group: drop their empty group at the pokmas level.
    having not (grouping(pokmas_code) = 0 and pokmas_code is null)
),

final as (
    select
        cast(geo_level as text) as geo_level,
        cast(geo_code as text) as geo_code,
        cast(period_grain as text) as period_grain,
        cast(period as text) as period,
        cast(period_start as date) as period_start,
        cast(extract(year from period_start) as integer) as rollup_year,
        cast(bapas_code as text) as bapas_code,
        registered_groups,
        active_groups,
        inactive_groups,
        groups_agreement_valid,
        groups_agreement_expired,
        groups_without_agreement,
        activities,
        participations,
        attended_participations,
        completed_participations,
        {{ safe_divide('attended_participations', 'participations') }} as attendance_rate,
        {{ safe_divide('completed_participations', 'attended_participations') }} as completion_rate,
        clients_reached,
        clients_employed,
        clients_self_employed,
        clients_further_education,
        clients_certified,
        total_cost_idr,
        {{ safe_divide('total_cost_idr', 'attended_participations') }} as cost_per_participant_idr,
        case when geo_level = 'pokmas' then null else bapas_months_reported end as bapas_months_reported,
        case when geo_level = 'pokmas' then null else bapas_months_meeting_minimum end
            as bapas_months_meeting_minimum,
        case
            when geo_level <> 'pokmas'
                then {{ safe_divide('bapas_months_meeting_minimum', 'bapas_months_reported') }}
        end as minimum_groups_compliance_rate,
        {{ batch_at() }} as batch_at
    from aggregated
)

select * from final
