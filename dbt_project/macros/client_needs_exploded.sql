-- noqa: disable=LT02
{#- The SQL of int_client_needs__exploded:
    One row per client-month and Litmas need code, with whether an attended activity in the
    same month addressed that need. Codes outside the kebutuhan list are not exploded (the
    quality layer reports them).
    `scope`: none in the view; the incremental facts' predicate on every staging leg
    (scoped_rows). -#}
{% macro client_needs_exploded(scope=none) -%}
with

client_months as (
    {%- if scope is none %}
    select * from {{ ref('int_client_months__spined') }}
    {%- else %}
    {{ client_months_spined(scope) | indent(4) }}
    {%- endif %}
),

-- text, as every other code column: the seed's varchar is `character varying` on PostgreSQL,
-- where fct_client_need's contract (text) then failed the incremental schema check.
need_codes as (
    select cast(code as text) as need_code from {{ ref('ref_codes') }}
    where code_list = 'kebutuhan'
),

-- Straight from staging (see int_client_months__spined): which needs an attended activity
-- addressed, per submission and client.
participants as (
    {{ scoped_rows(ref('stg_raw__monthly_participants'), scope) }}
),

activities as (
    {{ scoped_rows(ref('stg_raw__monthly_activities'), scope) }}
),

addressed as (
    select distinct
        participants.submission_id,
        participants.register_no,
        activities.target_need_code as need_code
    from participants
    inner join activities
        on
            participants.submission_id = activities.submission_id
            and participants.activity_code = activities.activity_code
    where participants.attended
),

exploded as (
    select
        client_months.submission_id,
        client_months.bapas_code,
        client_months.period,
        client_months.period_month,
        client_months.bapas_month_key,
        client_months.register_no,
        client_months.client_id,
        client_months.is_active_in_month,
        need_codes.need_code
    from client_months
    inner join need_codes
        on position(';' || need_codes.need_code || ';' in ';' || client_months.need_codes || ';') > 0
),

final as (
    select
        exploded.*,
        addressed.need_code is not null as is_need_addressed
    from exploded
    left join addressed
        on
            exploded.submission_id = addressed.submission_id
            and exploded.register_no = addressed.register_no
            and exploded.need_code = addressed.need_code
)

select * from final
{%- endmacro %}
