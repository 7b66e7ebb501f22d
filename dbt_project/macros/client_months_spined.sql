{#- The SQL of int_client_months__spined:
    The client-month spine: one row per client on the KLIEN sheet of a current monthly
    submission, with the period rule for "active" and a participation summary for the month.
    `scope`: none in the view; the incremental facts' predicate on every staging leg
    (scoped_rows). -#}
{% macro client_months_spined(scope=none) -%}
with

clients as (
    {{ scoped_rows(ref('stg_raw__monthly_clients'), scope) }}
),

-- Straight from staging (not int_participations__matched, which joins every client of the
-- history): keeps an incremental run's cost proportional to the new month, not the history.
participants as (
    {{ scoped_rows(ref('stg_raw__monthly_participants'), scope) }}
),

participation_summary as (
    select
        submission_id,
        register_no,
        count(*) as participation_rows,
        count(case when attended then 1 end) as activities_attended,
        count(case when completed then 1 end) as activities_completed
    from participants
    group by submission_id, register_no
),

dated as (
    select
        clients.*,
        {{ month_end('clients.period_month') }}
            as period_end
    from clients
),

final as (
    select
        dated.submission_id,
        dated.bapas_code,
        dated.period,
        dated.period_month,
        dated.bapas_code || '|' || dated.period as bapas_month_key,
        dated.register_no,
        dated.bapas_code || '|' || dated.register_no as client_id,
        dated.client_key,
        dated.sex,
        dated.age_at_period_end,
        dated.client_category,
        dated.programme_code,
        dated.supervision_start_date,
        dated.planned_end_date,
        dated.month_end_status,
        dated.status_date,
        dated.need_codes,
        dated.checkins_scheduled,
        dated.checkins_attended,
        coalesce(dated.new_offence, false) as new_offence,
        -- Period rule: listed on KLIEN, supervision started by month end, and not ended before
        -- the month started (a stale row whose status date precedes the month is not active).
        (
            (dated.supervision_start_date is null or dated.supervision_start_date <= dated.period_end)
            and (
                dated.month_end_status = 'AKTIF'
                or dated.status_date is null
                or dated.status_date >= dated.period_month
            )
        ) as is_active_in_month,
        (
            dated.month_end_status = 'DICABUT'
            and (dated.status_date is null or dated.status_date >= dated.period_month)
        ) as is_revoked_in_month,
        coalesce(summary.participation_rows, 0) as participation_rows,
        coalesce(summary.activities_attended, 0) as activities_attended,
        coalesce(summary.activities_completed, 0) as activities_completed
    from dated
    left join participation_summary as summary
        on
            dated.submission_id = summary.submission_id
            and dated.register_no = summary.register_no
)

select * from final
{%- endmacro %}
