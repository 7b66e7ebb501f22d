{{ config(materialized='table') }}
-- Plan vs realisation of the annual empowerment programme per need code (recommendation 2).
-- Year grain only: plans are annual.
with

targets as (
    select * from {{ ref('stg_raw__annual_plan_targets') }}
),

budgets as (
    select * from {{ ref('stg_raw__annual_plan_budgets') }}
),

activities as (
    select * from {{ ref('fct_activity') }}
),

participations as (
    select * from {{ ref('fct_participation') }}
),

bapas as (
    select * from {{ ref('dim_bapas') }}
),

years as (
    select
        period as year_period,
        period_start as year_start,
        year_number
    from {{ ref('dim_period') }}
    where period_grain = 'year'
),

unioned as (
    select
        'target' as row_type,
        bapas_code,
        plan_year,
        need_code,
        cast(target_clients as bigint) as target_clients,
        cast(target_activities as bigint) as target_activities,
        cast(null as numeric(18, 2)) as budget_idr,
        cast(null as text) as activity_id,
        cast(null as numeric(18, 2)) as cost_idr,
        cast(null as text) as client_id
    from targets

    union all

    select
        'budget' as row_type,
        bapas_code,
        plan_year,
        need_code,
        null as target_clients,
        null as target_activities,
        budget_idr,
        null as activity_id,
        null as cost_idr,
        null as client_id
    from budgets

    union all

    select
        'activity' as row_type,
        bapas_code,
        cast(extract(year from period_month) as integer) as plan_year,
        target_need_code as need_code,
        null as target_clients,
        null as target_activities,
        null as budget_idr,
        activity_id,
        cost_idr,
        null as client_id
    from activities

    union all

    select
        'participation' as row_type,
        bapas_code,
        cast(extract(year from period_month) as integer) as plan_year,
        target_need_code as need_code,
        null as target_clients,
        null as target_activities,
        null as budget_idr,
        null as activity_id,
        null as cost_idr,
        client_id
    from participations
    where attended
),

base as (
    select
        bapas.kanwil_code,
        unioned.bapas_code,
        years.year_start,
        years.year_period,
        unioned.need_code,
        unioned.row_type,
        unioned.target_clients,
        unioned.target_activities,
        unioned.budget_idr,
        unioned.activity_id,
        unioned.cost_idr,
        unioned.client_id
    from unioned
    inner join years
        on unioned.plan_year = years.year_number
    left join bapas
        on unioned.bapas_code = bapas.bapas_code
    where unioned.need_code is not null
),

aggregated as (
    select
        {{ rollup_grain_columns(period_grains=['year']) }},
        need_code,
        count(distinct case when row_type = 'target' then bapas_code end) as bapas_with_plan,
        cast(coalesce(sum(target_clients), 0) as bigint) as target_clients,
        cast(coalesce(sum(target_activities), 0) as bigint) as target_activities,
        cast(coalesce(sum(budget_idr), 0) as numeric(18, 2)) as planned_budget_idr,
        count(distinct client_id) as realised_clients,
        count(distinct activity_id) as realised_activities,
        cast(coalesce(sum(cost_idr), 0) as numeric(18, 2)) as realised_cost_idr
    from base
    {{ rollup_grouping_sets(dims=['need_code'], period_grains=['year']) }}
),

final as (
    select
        cast(geo_level as text) as geo_level,
        cast(geo_code as text) as geo_code,
        cast(period_grain as text) as period_grain,
        cast(period as text) as period,
        cast(period_start as date) as period_start,
        need_code,
        bapas_with_plan,
        target_clients,
        realised_clients,
        {{ safe_divide('realised_clients', 'target_clients') }} as client_realisation_rate,
        target_activities,
        realised_activities,
        {{ safe_divide('realised_activities', 'target_activities') }} as activity_realisation_rate,
        planned_budget_idr,
        realised_cost_idr,
        {{ safe_divide('realised_cost_idr', 'planned_budget_idr') }} as budget_realisation_rate
    from aggregated
)

select * from final
