{#- The SQL of int_participations__matched:
    One row per participant row (client x activity) of the current submissions, with the
    activity's attributes and whether the activity addressed one of the client's Litmas needs.
    `scope`: none in the view; the incremental facts' predicate on every staging leg
    (scoped_rows). -#}
{% macro participations_matched(scope=none) -%}
with

participants as (
    {{ scoped_rows(ref('stg_raw__monthly_participants'), scope) }}
),

activities as (
    {{ scoped_rows(ref('stg_raw__monthly_activities'), scope) }}
),

clients as (
    {{ scoped_rows(ref('stg_raw__monthly_clients'), scope) }}
),

matched as (
    select
        participants.submission_id,
        participants.bapas_code,
        participants.period,
        participants.period_month,
        participants.bapas_code || '|' || participants.period as bapas_month_key,
        participants.activity_code,
        participants.register_no,
        participants.bapas_code || '|' || participants.register_no as client_id,
        activities.pokmas_code,
        activities.activity_date,
        activities.activity_type,
        activities.target_need_code,
        activities.location_code,
        activities.funding_source,
        coalesce(participants.attended, false) as attended,
        coalesce(participants.completed, false) as completed,
        participants.outcome_code,
        activities.activity_code is not null as is_known_activity,
        clients.register_no is not null as is_registered_client,
        -- Need codes are ';'-separated; wrapping both sides in ';' matches whole codes only
        -- (KERJA must not match inside another code).
        coalesce(
            position(';' || activities.target_need_code || ';' in ';' || clients.need_codes || ';') > 0,
            false
        ) as addresses_client_need
    from participants
    left join activities
        on
            participants.submission_id = activities.submission_id
            and participants.activity_code = activities.activity_code
    left join clients
        on
            participants.submission_id = clients.submission_id
            and participants.register_no = clients.register_no
),

final as (
    select * from matched
)

select * from final
{%- endmacro %}
