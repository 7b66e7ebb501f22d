-- SCD2 history of each group's registry entry: consecutive months with identical attributes
-- collapse into one version; an attribute change or a month missing from the registry starts
-- a new version.
with

registry as (
    select * from {{ ref('stg_raw__monthly_pokmas') }}
),

reports as (
    select * from {{ ref('stg_raw__monthly_reports') }}
),

last_submitted as (
    select
        bapas_code,
        max(period_month) as last_submitted_month
    from reports
    group by bapas_code
),

hashed as (
    select
        registry.*,
        md5(
            coalesce(registry.pokmas_name, '') || '|'
            || coalesce(registry.field_code, '') || '|'
            || coalesce(registry.legal_form, '') || '|'
            || coalesce(registry.agreement_no, '') || '|'
            || coalesce(cast(registry.agreement_date as text), '') || '|'
            || coalesce(cast(registry.agreement_end_date as text), '') || '|'
            || coalesce(cast(registry.partner_count as text), '') || '|'
            || coalesce(registry.district, '') || '|'
            || coalesce(registry.pokmas_status, '')
        ) as attribute_hash
    from registry
),

compared as (
    select
        hashed.*,
        lag(hashed.attribute_hash) over (
            partition by hashed.bapas_code, hashed.pokmas_code order by hashed.period_month
        ) as previous_hash,
        lag(hashed.period_month) over (
            partition by hashed.bapas_code, hashed.pokmas_code order by hashed.period_month
        ) as previous_month
    from hashed
),

flagged as (
    select
        compared.*,
        case
            when compared.previous_hash is null then 1
            when compared.previous_hash <> compared.attribute_hash then 1
            when {{ add_months('previous_month', 1) }} <> compared.period_month then 1
            else 0
        end as starts_version
    from compared
),

numbered as (
    select
        flagged.*,
        sum(flagged.starts_version) over (
            partition by flagged.bapas_code, flagged.pokmas_code
            order by flagged.period_month
            rows between unbounded preceding and current row
        ) as version_seq
    from flagged
),

versions as (
    select
        bapas_code,
        pokmas_code,
        version_seq,
        min(period_month) as valid_from,
        max(period_month) as last_reported_month,
        count(*) as months_reported,
        max(pokmas_name) as pokmas_name,
        max(field_code) as field_code,
        max(legal_form) as legal_form,
        max(agreement_no) as agreement_no,
        max(agreement_date) as agreement_date,
        max(agreement_end_date) as agreement_end_date,
        max(partner_count) as partner_count,
        max(district) as district,
        max(pokmas_status) as pokmas_status
    from numbered
    group by bapas_code, pokmas_code, version_seq
),

final as (
    select
        versions.*,
        -- valid_to is exclusive: the first month the entry no longer held. Open (null) while the
        -- entry is in the Bapas's latest submitted registry.
        case
            when versions.last_reported_month < last_submitted.last_submitted_month
                then {{ add_months('versions.last_reported_month', 1) }}
        end as valid_to
    from versions
    left join last_submitted
        on versions.bapas_code = last_submitted.bapas_code
)

select * from final
