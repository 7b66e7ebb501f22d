{{ config(materialized='table') }}
-- Submission compliance: expected vs received reports, on time, accepted, resubmitted, quality
-- score. Monthly reports roll up to month/quarter/year; annual plans exist at year grain only.
-- The rates count the register's counts_as_* columns (doc ind_reporting_rate): the quality
-- layer decides once what counts, so this mart, `lipas check` and the digest agree.
with

status as (
    select * from {{ ref('stg_quality__submission_status') }}
),

scores as (
    select * from {{ ref('stg_quality__submission_scores') }}
),

ledger as (
    select * from {{ ref('stg_ledger__submissions') }}
),

bapas as (
    select * from {{ ref('dim_bapas') }}
),

months as (
    {{ month_columns() }}
),

versions as (
    select
        bapas_code,
        report_kind,
        period,
        count(*) as accepted_versions
    from ledger
    where submission_status in ('accepted', 'superseded')
    group by bapas_code, report_kind, period
),

owed as (
    select
        coalesce(bapas.kanwil_code, status.kanwil_code) as kanwil_code,
        status.bapas_code,
        status.report_kind,
        -- Monthly periods are YYYY-MM; annual plans (YYYY) are placed in January of their year
        -- and only rolled up to the year grain.
        case
            when length(status.period) = 4 then status.period || '-01'
            else status.period
        end as month_key,
        length(status.period) = 4 as is_annual,
        status.report_status,
        status.is_received,
        status.is_accepted,
        status.is_on_time,
        status.is_possibly_inactive,
        status.counts_as_expected,
        status.counts_as_reported,
        status.counts_as_on_time,
        coalesce(versions.accepted_versions, 0) > 1 as is_resubmitted,
        scores.quality_score
    from status
    left join scores
        on
            status.bapas_code = scores.bapas_code
            and status.report_kind = scores.report_kind
            and status.period = scores.period
    left join versions
        on
            status.bapas_code = versions.bapas_code
            and status.report_kind = versions.report_kind
            and status.period = versions.period
    left join bapas
        on status.bapas_code = bapas.bapas_code
    where status.counts_as_expected
),

base as (
    select
        owed.kanwil_code,
        owed.bapas_code,
        owed.report_kind,
        owed.is_annual,
        months.period_month,
        months.month_period,
        months.quarter_start,
        months.quarter_period,
        months.year_start,
        months.year_period,
        owed.report_status,
        owed.is_received,
        owed.is_accepted,
        owed.is_on_time,
        owed.is_possibly_inactive,
        owed.counts_as_reported,
        owed.counts_as_on_time,
        owed.is_resubmitted,
        owed.quality_score
    from owed
    inner join months
        on owed.month_key = months.month_period
),

{% set measures %}
        count(*) as expected_reports,
        count(case when is_received then 1 end) as received_reports,
        count(case when counts_as_reported then 1 end) as reported_reports,
        count(case when is_accepted then 1 end) as accepted_reports,
        count(case when counts_as_on_time then 1 end) as on_time_reports,
        count(case when report_status = 'late' then 1 end) as late_reports,
        count(case when report_status = 'missing' then 1 end) as missing_reports,
        count(case when report_status = 'rejected' then 1 end) as rejected_reports,
        count(case when is_resubmitted then 1 end) as resubmitted_reports,
        count(distinct case when is_possibly_inactive then bapas_code end) as possibly_inactive_bapas,
        avg(quality_score) as mean_quality_score
{% endset %}

monthly_rollup as (
    select
        {{ rollup_grain_columns() }},
        report_kind,
        {{ measures }}
    from base
    where not is_annual
    {{ rollup_grouping_sets(dims=['report_kind']) }}
),

annual_rollup as (
    select
        {{ rollup_grain_columns(period_grains=['year']) }},
        report_kind,
        {{ measures }}
    from base
    where is_annual
    {{ rollup_grouping_sets(dims=['report_kind'], period_grains=['year']) }}
),

unioned as (
    select * from monthly_rollup
    union all
    select * from annual_rollup
),

final as (
    select
        cast(geo_level as text) as geo_level,
        cast(geo_code as text) as geo_code,
        cast(period_grain as text) as period_grain,
        cast(period as text) as period,
        cast(period_start as date) as period_start,
        report_kind,
        expected_reports,
        received_reports,
        reported_reports,
        accepted_reports,
        on_time_reports,
        late_reports,
        missing_reports,
        rejected_reports,
        resubmitted_reports,
        possibly_inactive_bapas,
        {{ safe_divide('reported_reports', 'expected_reports') }} as reporting_rate,
        {{ safe_divide('on_time_reports', 'expected_reports') }} as on_time_rate,
        {{ safe_divide('accepted_reports', 'expected_reports') }} as acceptance_rate,
        cast(mean_quality_score as double precision) as mean_quality_score
    from unioned
)

select * from final
