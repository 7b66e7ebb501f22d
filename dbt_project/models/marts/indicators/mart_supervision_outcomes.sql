-- depends_on: {{ ref('fct_bapas_month') }}
-- Supervision outcomes (check-in attendance, revocations, new offences) of active clients who
-- took part in an activity that month vs those who did not. DESCRIPTIVE, NOT CAUSAL.
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
        case when client_months.is_reached then 'participant' else 'non_participant' end as participation_group,
        client_months.client_id,
        client_months.checkins_scheduled,
        client_months.checkins_attended,
        client_months.is_revoked_in_month,
        client_months.new_offence
    from client_months
    inner join months
        on client_months.period = months.month_period
    where client_months.is_active_in_month
),

-- Each client once per Bapas, group and period at every grain, in a plain group by that
-- DuckDB can spill: count(distinct ...) under the grouping sets could not (issue 16).
client_grain_rows as (
    select
        base.kanwil_code,
        base.bapas_code,
        {{ period_grain_rows('base') }},
        base.participation_group,
        base.client_id,
        base.checkins_scheduled,
        base.checkins_attended,
        base.is_revoked_in_month,
        base.new_offence
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
        participation_group,
        client_id,
        count(*) as client_months,
        sum(checkins_scheduled) as checkins_scheduled,
        sum(checkins_attended) as checkins_attended,
        bool_or(is_revoked_in_month) as is_revoked,
        bool_or(new_offence) as new_offence
    from client_grain_rows
    group by kanwil_code, bapas_code, period_grain, period, period_start, participation_group, client_id
),

bapas_periods as (
    select
        kanwil_code,
        bapas_code,
        period_grain,
        period,
        period_start,
        participation_group,
        count(client_id) as clients,
        sum(client_months) as client_months,
        sum(checkins_scheduled) as checkins_scheduled,
        sum(checkins_attended) as checkins_attended,
        count(case when is_revoked then client_id end) as revoked_clients,
        count(case when new_offence then client_id end) as new_offence_clients
    from client_periods
    group by kanwil_code, bapas_code, period_grain, period, period_start, participation_group
),

-- client_id carries the Bapas code (client_months_spined): no client counts in two Bapas, so
-- Kanwil and national counts are sums of the Bapas ones.
aggregated as (
    select
        {{ rollup_grain_columns(period_rows=true) }},
        participation_group,
        cast(sum(clients) as bigint) as clients,
        cast(sum(client_months) as bigint) as client_months,
        cast(coalesce(sum(checkins_scheduled), 0) as bigint) as checkins_scheduled,
        cast(coalesce(sum(checkins_attended), 0) as bigint) as checkins_attended,
        cast(sum(revoked_clients) as bigint) as revoked_clients,
        cast(sum(new_offence_clients) as bigint) as new_offence_clients
    from bapas_periods
    {{ rollup_grouping_sets(dims=['participation_group'], period_rows=true) }}
),

final as (
    select
        cast(geo_level as text) as geo_level,
        cast(geo_code as text) as geo_code,
        cast(period_grain as text) as period_grain,
        cast(period as text) as period,
        cast(period_start as date) as period_start,
        cast(extract(year from period_start) as integer) as rollup_year,
        cast(participation_group as text) as participation_group,
        clients,
        client_months,
        checkins_scheduled,
        checkins_attended,
        {{ safe_divide('checkins_attended', 'checkins_scheduled') }} as checkin_attendance_rate,
        revoked_clients,
        {{ safe_divide('revoked_clients', 'clients') }} as revocation_rate,
        new_offence_clients,
        {{ safe_divide('new_offence_clients', 'clients') }} as new_offence_rate,
        cast('descriptive, not causal' as text) as interpretation,
        {{ batch_at() }} as batch_at
    from aggregated
)

select * from final
