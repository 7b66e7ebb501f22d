-- SCD2 history of partner-group registry entries; valid_from/valid_to are month starts.
with

history as (
    select * from {{ ref('int_pokmas_registry__historized') }}
),

codes as (
    select * from {{ ref('ref_codes') }}
),

-- Which fields are mandated is a business rule kept in the seed (ref_codes.is_mandated).
mandated_fields as (
    select code as field_code from codes
    where code_list = 'bidang_pokmas' and is_mandated
),

final as (
    select
        history.bapas_code || '|' || history.pokmas_code || '|'
        || cast(history.valid_from as text) as pokmas_version_key,
        history.bapas_code,
        history.pokmas_code,
        history.pokmas_name,
        history.field_code,
        history.legal_form,
        history.agreement_no,
        history.agreement_date,
        history.agreement_end_date,
        cast(history.partner_count as bigint) as partner_count,
        history.district,
        history.pokmas_status,
        history.field_code in (select mandated_fields.field_code from mandated_fields) as is_mandated_field,
        history.valid_from,
        history.valid_to,
        history.last_reported_month,
        cast(history.months_reported as bigint) as months_reported,
        history.valid_to is null as is_current
    from history
)

select * from final
