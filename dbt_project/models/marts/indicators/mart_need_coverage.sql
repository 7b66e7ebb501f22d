-- depends_on: {{ ref('fct_bapas_month') }}
-- Need coverage: of the active clients with need X, how many attended at least one activity
-- addressing X, by geo level x period grain x need code.
with

client_needs as (
    select * from {{ ref('fct_client_need') }}
    where {{ changed_years_filter('cast(extract(year from period_month) as integer)') }}
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

aggregated as (
    select
        {{ rollup_grain_columns() }},
        need_code,
        count(distinct client_id) as clients_with_need,
        count(distinct case when is_need_addressed then client_id end) as clients_need_addressed
    from base
    {{ rollup_grouping_sets(dims=['need_code']) }}
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
