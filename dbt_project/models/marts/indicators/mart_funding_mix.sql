-- depends_on: {{ ref('fct_bapas_month') }}
-- Funding mix of empowerment activities by source (APBN, APBD, CSR, SWADAYA, HIBAH) and the
-- partner groups behind each source (recommendation 1: Pemda and CSR partnerships).
with

activities as (
    select * from {{ ref('fct_activity') }}
    where {{ changed_years_filter('period_month') }}
),

pokmas_versions as (
    select * from {{ ref('dim_pokmas') }}
),

months as (
    {{ month_columns() }}
),

base as (
    select
        activities.kanwil_code,
        activities.bapas_code,
        months.period_month,
        months.month_period,
        months.quarter_start,
        months.quarter_period,
        months.year_start,
        months.year_period,
        activities.funding_source,
        activities.activity_id,
        activities.cost_idr,
        activities.attended_count,
        activities.bapas_code || '|' || activities.pokmas_code as pokmas_id,
        pokmas_versions.legal_form
    from activities
    inner join months
        on activities.period = months.month_period
    left join pokmas_versions
        on activities.pokmas_version_key = pokmas_versions.pokmas_version_key
    where activities.funding_source is not null
),

aggregated as (
    select
        {{ rollup_grain_columns() }},
        funding_source,
        count(distinct activity_id) as activities,
        cast(coalesce(sum(cost_idr), 0) as numeric(18, 2)) as cost_idr,
        cast(coalesce(sum(attended_count), 0) as bigint) as attended_participations,
        count(distinct pokmas_id) as partner_groups,
        count(distinct case when legal_form = 'PERUSAHAAN' then pokmas_id end) as company_partner_groups,
        count(distinct case when legal_form = 'INSTANSI_PEMDA' then pokmas_id end) as local_government_partner_groups
    from base
    {{ rollup_grouping_sets(dims=['funding_source']) }}
),

final as (
    select
        cast(geo_level as text) as geo_level,
        cast(geo_code as text) as geo_code,
        cast(period_grain as text) as period_grain,
        cast(period as text) as period,
        cast(period_start as date) as period_start,
        cast(extract(year from period_start) as integer) as rollup_year,
        funding_source,
        activities,
        cost_idr,
        {{ safe_divide('cost_idr', 'sum(cost_idr) over (partition by geo_level, geo_code, period_grain, period)') }}
            as cost_share,
        {{ safe_divide('activities', 'sum(activities) over (partition by geo_level, geo_code, period_grain, period)') }}
            as activity_share,
        attended_participations,
        partner_groups,
        company_partner_groups,
        local_government_partner_groups,
        {{ batch_at() }} as batch_at
    from aggregated
)

select * from final
