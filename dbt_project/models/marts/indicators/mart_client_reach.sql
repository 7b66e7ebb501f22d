-- depends_on: {{ ref('fct_bapas_month') }}
-- Overall reach: share of active clients who attended at least one Pokmas activity.
with

client_months as (
    select * from {{ ref('fct_client_month') }}
    where {{ changed_years_filter('period_month') }}
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

-- Each active client once per Bapas and period at every grain, in a plain group by that
-- DuckDB can spill: count(distinct ...) under the grouping sets could not, and failed the
-- build under a 750MB memory_limit at three national years (issue 16).
client_grain_rows as (
    select
        base.kanwil_code,
        base.bapas_code,
        {{ period_grain_rows('base') }},
        base.client_id,
        base.is_reached,
        base.need_count
    from base
    cross join {{ period_grains_values() }}
),

client_periods as (
    select
        kanwil_code,
        bapas_code,
        period_grain,
        period,
        period_start,
        client_id,
        bool_or(is_reached) as is_reached,
        bool_or(need_count > 0) as has_needs,
        count(*) as client_months
    from client_grain_rows
    group by kanwil_code, bapas_code, period_grain, period, period_start, client_id
),

bapas_periods as (
    select
        kanwil_code,
        bapas_code,
        period_grain,
        period,
        period_start,
        count(client_id) as active_clients,
        count(case when is_reached then client_id end) as reached_clients,
        count(case when has_needs then client_id end) as clients_with_needs,
        sum(client_months) as active_client_months
    from client_periods
    group by kanwil_code, bapas_code, period_grain, period, period_start
),

-- client_id carries the Bapas code (client_months_spined): no client counts in two Bapas, so
-- Kanwil and national counts are sums of the Bapas ones.
aggregated as (
    select
        {{ rollup_grain_columns(period_rows=true) }},
        cast(sum(active_clients) as bigint) as active_clients,
        cast(sum(reached_clients) as bigint) as reached_clients,
        cast(sum(clients_with_needs) as bigint) as clients_with_needs,
        cast(sum(active_client_months) as bigint) as active_client_months
    from bapas_periods
    {{ rollup_grouping_sets(period_rows=true) }}
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
