-- depends_on: {{ ref('fct_bapas_month') }}
-- Pokmas performance per group, Bapas, Kanwil and nationally: registry state, activities,
-- reach, attendance/completion, outcomes, cost per participant and the two-group minimum.
with

registry as (
    select * from {{ ref('stg_raw__monthly_pokmas') }}
    where {{ changed_years_filter('period_month') }}
),

reports as (
    select * from {{ ref('stg_raw__monthly_reports') }}
    where {{ changed_years_filter('period_month') }}
),

activities as (
    select * from {{ ref('fct_activity') }}
    where {{ changed_years_filter('period_month') }}
),

participations as (
    select * from {{ ref('fct_participation') }}
    where {{ changed_years_filter('period_month') }}
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
        -- What a distinct count of this row's kind counts: a group, an activity, a client or
        -- a Bapas-month.
        case unioned.row_type
            when 'registry' then unioned.bapas_code || '|' || unioned.pokmas_code
            when 'activity' then unioned.activity_id
            when 'participation' then unioned.client_id
            when 'bapas_month' then unioned.bapas_code || '|' || unioned.period
        end as entity_id,
        unioned.is_active,
        unioned.agreement_state,
        unioned.meets_two_group_minimum,
        unioned.cost_idr,
        unioned.attended,
        unioned.completed,
        unioned.outcome_code
    from unioned
    inner join months
        on unioned.period = months.month_period
    left join bapas
        on unioned.bapas_code = bapas.bapas_code
),

-- The twelve cells of the standard rollup (rollup_grouping_sets with pokmas_code below Bapas).
rollup_cells as (
    select
        geo_levels.geo_level,
        period_grains.period_grain
    from (values ('pokmas'), ('bapas'), ('kanwil'), ('national')) as geo_levels (geo_level)
    cross join (values ('month'), ('quarter'), ('year')) as period_grains (period_grain)
),

-- Every row once per rollup cell it counts in. Grouping sets (as the other marts use) keep a
-- hash table per set that DuckDB cannot spill, and the fifteen count(distinct ...) a further
-- one each: at three national years the nightly's dbt needed ~3 GB and failed under a 1GB
-- memory_limit (issue 16). One plain group by over these rows spills instead.
cell_rows as (
    select
        rollup_cells.geo_level,
        case rollup_cells.geo_level
            when 'pokmas' then base.pokmas_code
            when 'bapas' then base.bapas_code
            when 'kanwil' then base.kanwil_code
            else 'ID'
        end as geo_code,
        rollup_cells.period_grain,
        case rollup_cells.period_grain
            when 'month' then base.month_period
            when 'quarter' then base.quarter_period
            else base.year_period
        end as period,
        case rollup_cells.period_grain
            when 'month' then base.period_month
            when 'quarter' then base.quarter_start
            else base.year_start
        end as period_start,
        -- Null above Bapas level.
        case when rollup_cells.geo_level in ('pokmas', 'bapas') then base.bapas_code end as bapas_code,
        base.row_type,
        base.entity_id,
        base.is_active,
        base.agreement_state,
        base.meets_two_group_minimum,
        base.cost_idr,
        base.attended,
        base.completed,
        base.outcome_code
    from base
    cross join rollup_cells
    -- Bapas-month rows carry no group: no pokmas-level cell for them.
    where not (rollup_cells.geo_level = 'pokmas' and base.pokmas_code is null)
),

-- One row per counted thing per cell, with what held for it on any of its rows: the distinct
-- counts below then count these rows plainly.
entities as (
    select
        geo_level,
        geo_code,
        period_grain,
        period,
        period_start,
        bapas_code,
        row_type,
        entity_id,
        bool_or(is_active) as any_active,
        bool_or(not is_active) as any_inactive,
        bool_or(agreement_state = 'valid') as any_agreement_valid,
        bool_or(agreement_state = 'expired') as any_agreement_expired,
        bool_or(agreement_state = 'none') as any_without_agreement,
        bool_or(attended) as any_attended,
        bool_or(outcome_code = 'BEKERJA') as any_employed,
        bool_or(outcome_code = 'USAHA_MANDIRI') as any_self_employed,
        bool_or(outcome_code = 'LANJUT_PENDIDIKAN') as any_further_education,
        bool_or(outcome_code = 'SERTIFIKAT') as any_certified,
        bool_or(meets_two_group_minimum) as any_meeting_minimum,
        count(case when row_type = 'participation' then 1 end) as participations,
        count(case when row_type = 'participation' and attended then 1 end) as attended_participations,
        count(case when row_type = 'participation' and completed then 1 end) as completed_participations,
        sum(cost_idr) as total_cost_idr
    from cell_rows
    group by geo_level, geo_code, period_grain, period, period_start, bapas_code, row_type, entity_id
),

aggregated as (
    select
        geo_level,
        geo_code,
        period_grain,
        period,
        period_start,
        bapas_code,
        count(case when row_type = 'registry' then entity_id end) as registered_groups,
        count(case when row_type = 'registry' and any_active then entity_id end) as active_groups,
        count(case when row_type = 'registry' and any_inactive then entity_id end) as inactive_groups,
        count(case when row_type = 'registry' and any_agreement_valid then entity_id end)
            as groups_agreement_valid,
        count(case when row_type = 'registry' and any_agreement_expired then entity_id end)
            as groups_agreement_expired,
        count(case when row_type = 'registry' and any_without_agreement then entity_id end)
            as groups_without_agreement,
        count(case when row_type = 'activity' then entity_id end) as activities,
        cast(sum(participations) as bigint) as participations,
        cast(sum(attended_participations) as bigint) as attended_participations,
        cast(sum(completed_participations) as bigint) as completed_participations,
        count(case when row_type = 'participation' and any_attended then entity_id end) as clients_reached,
        count(case when any_employed then entity_id end) as clients_employed,
        count(case when any_self_employed then entity_id end) as clients_self_employed,
        count(case when any_further_education then entity_id end) as clients_further_education,
        count(case when any_certified then entity_id end) as clients_certified,
        cast(coalesce(sum(total_cost_idr), 0) as numeric(18, 2)) as total_cost_idr,
        count(case when row_type = 'bapas_month' then entity_id end) as bapas_months_reported,
        count(case when row_type = 'bapas_month' and any_meeting_minimum then entity_id end)
            as bapas_months_meeting_minimum
    from entities
    group by geo_level, geo_code, period_grain, period, period_start, bapas_code
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
