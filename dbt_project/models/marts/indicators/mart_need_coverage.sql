-- depends_on: {{ ref('fct_bapas_month') }}
-- Need coverage: of the active clients with need X, how many attended at least one activity
-- addressing X, by geo level x period grain x need code.
with

client_needs as (
    select * from {{ ref('fct_client_need') }}
    where {{ changed_years_filter('period_month') }}
),

months as (
    {{ month_columns() }}
),

base as (
    select
        client_needs.kanwil_code,
        client_needs.bapas_code,
        months.period_month,
        months.month_period,
        months.quarter_start,
        months.quarter_period,
        months.year_start,
        months.year_period,
        client_needs.need_code,
        client_needs.client_id,
        client_needs.is_need_addressed
    from client_needs
    inner join months
        on client_needs.period = months.month_period
    where client_needs.is_active_in_month
),

-- Each client once per Bapas, need and period at every grain, in a plain group by that DuckDB
-- can spill: count(distinct ...) under the grouping sets could not (issue 16).
client_grain_rows as (
    select
        base.kanwil_code,
        base.bapas_code,
        {{ period_grain_rows('base') }},
        base.need_code,
        base.client_id,
        base.is_need_addressed
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
        need_code,
        client_id,
        bool_or(is_need_addressed) as is_need_addressed
    from client_grain_rows
    group by kanwil_code, bapas_code, period_grain, period, period_start, need_code, client_id
),

bapas_periods as (
    select
        kanwil_code,
        bapas_code,
        period_grain,
        period,
        period_start,
        need_code,
        count(client_id) as clients_with_need,
        count(case when is_need_addressed then client_id end) as clients_need_addressed
    from client_periods
    group by kanwil_code, bapas_code, period_grain, period, period_start, need_code
),

-- client_id carries the Bapas code (client_months_spined): no client counts in two Bapas, so
-- Kanwil and national counts are sums of the Bapas ones.
aggregated as (
    select
        {{ rollup_grain_columns(period_rows=true) }},
        need_code,
        cast(sum(clients_with_need) as bigint) as clients_with_need,
        cast(sum(clients_need_addressed) as bigint) as clients_need_addressed
    from bapas_periods
    {{ rollup_grouping_sets(dims=['need_code'], period_rows=true) }}
),

final as (
    select
        cast(geo_level as text) as geo_level,
        cast(geo_code as text) as geo_code,
        cast(period_grain as text) as period_grain,
        cast(period as text) as period,
        cast(period_start as date) as period_start,
        cast(extract(year from period_start) as integer) as rollup_year,
        need_code,
        clients_with_need,
        clients_need_addressed,
        clients_with_need - clients_need_addressed as clients_need_unaddressed,
        {{ safe_divide('clients_need_addressed', 'clients_with_need') }} as coverage_rate,
        {{ batch_at() }} as batch_at
    from aggregated
)

select * from final
