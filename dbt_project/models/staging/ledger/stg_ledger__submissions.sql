with

source as (
    select * from {{ source('ledger', 'submissions') }}
),

final as (
    select
        submission_id,
        report_kind,
        kode_bapas as bapas_code,
        periode as period,
        received_at,
        ingested_at,
        version as version_no,
        status as submission_status,
        is_current,
        error_code,
        file_format,
        original_name as source_file
    from source
    where submission_id is not null
)

select * from final
