-- depends_on: {{ ref('fct_bapas_month') }}
-- Griya Abhipraya halfway houses (recommendation 3): occupancy, flows, activities held there
-- and clients served there.
with

houses as (
    select * from {{ ref('stg_raw__monthly_halfway_houses') }}
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

months as (
    {{ month_columns() }}
),

unioned as (
    select
        'house' as row_type,
        bapas_code,
        period,
        cast(capacity as bigint) as capacity,
        cast(residents_end as bigint) as residents_end,
        cast(admissions as bigint) as admissions,
        cast(departures as bigint) as departures,
        cast(null as text) as activity_id,
        cast(null as numeric(18, 2)) as cost_idr,
        cast(null as text) as client_id
    from houses

    union all

    select
        'activity' as row_type,
        bapas_code,
        period,
        null as capacity,
        null as residents_end,
        null as admissions,
        null as departures,
        activity_id,
        cost_idr,
        null as client_id
    from activities
    where location_code = 'GRIYA_ABHIPRAYA'

    union all

    select
        'participation' as row_type,
        bapas_code,
        period,
        null as capacity,
        null as residents_end,
        null as admissions,
        null as departures,
        null as activity_id,
        null as cost_idr,
        client_id
    from participations
    where location_code = 'GRIYA_ABHIPRAYA' and attended
),

base as (
    select
        bapas.kanwil_code,
        unioned.bapas_code,
        months.period_month,
        months.month_period,
        months.quarter_start,
        months.quarter_period,
        months.year_start,
        months.year_period,
        unioned.row_type,
        unioned.capacity,
        unioned.residents_end,
        unioned.admissions,
        unioned.departures,
        unioned.activity_id,
        unioned.cost_idr,
        unioned.client_id
    from unioned
    inner join months
        on unioned.period = months.month_period
    left join bapas
        on unioned.bapas_code = bapas.bapas_code
),

aggregated as (
    select
        {{ rollup_grain_columns() }},
        count(distinct case when row_type = 'house' then bapas_code end) as houses_reporting,
        cast(coalesce(sum(capacity), 0) as bigint) as capacity_bed_months,
        cast(coalesce(sum(residents_end), 0) as bigint) as resident_months,
        cast(coalesce(sum(admissions), 0) as bigint) as admissions,
        cast(coalesce(sum(departures), 0) as bigint) as departures,
        count(distinct activity_id) as activities_at_house,
        cast(coalesce(sum(cost_idr), 0) as numeric(18, 2)) as cost_at_house_idr,
        count(distinct client_id) as clients_served_at_house
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
        houses_reporting,
        capacity_bed_months,
        resident_months,
        {{ safe_divide('resident_months', 'capacity_bed_months') }} as occupancy_rate,
        admissions,
        departures,
        activities_at_house,
        cost_at_house_idr,
        clients_served_at_house,
        {{ batch_at() }} as batch_at
    from aggregated
)

select * from final
