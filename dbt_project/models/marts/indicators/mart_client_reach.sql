-- depends_on: {{ ref('fct_bapas_month') }}
-- Overall reach: share of active clients who attended at least one Pokmas activity.
with

client_months as (
    select * from {{ ref('fct_client_month') }}
    where {{ changed_years_filter('cast(extract(year from period_month) as integer)') }}
),

months as (
    {{ month_columns() }}
),

base as (
    select
        client_months.kanwil_code,
        client_months.bapas_code,
        months.period_month,
        months.month_period,
        months.quarter_start,
        months.quarter_period,
        months.year_start,
        months.year_period,
        client_months.client_id,
        client_months.is_reached,
        client_months.need_count
    from client_months
    inner join months
        on client_months.period = months.month_period
    where client_months.is_active_in_month
),

aggregated as (
    select
        {{ rollup_grain_columns() }},
        count(distinct client_id) as active_clients,
        count(distinct case when is_reached then client_id end) as reached_clients,
        count(distinct case when need_count > 0 then client_id end) as clients_with_needs,
        count(*) as active_client_months
    from base
    {{ rollup_grouping_sets() }}
),

final as (
    select
        cast(geo_level as text) as geo_level,
        cast(geo_code as text) as geo_code,
        cast(period_grain as text) as period_grain,
        cast(period as text) as period,
        cast(period_start as date) as period_start,
        cast(extract(year from period_start) as integer) as rollup_year,
        active_clients,
        reached_clients,
        {{ safe_divide('reached_clients', 'active_clients') }} as reach_rate,
        clients_with_needs,
        active_client_months,
        {{ batch_at() }} as batch_at
    from aggregated
)

select * from final
