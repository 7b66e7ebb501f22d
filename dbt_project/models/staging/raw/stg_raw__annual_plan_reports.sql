with

source as (
    select * from {{ source('raw', 'annual_plan_identitas') }}
),

current_submissions as (
    select submission_id from {{ source('ledger', 'submissions') }}
    where is_current
),

renamed as (
    select
        source.submission_id,
        source.kode_bapas as bapas_code,
        source.tahun as plan_year,
        source.tanggal_laporan as report_date,
        source.versi as version_no,
        source._source_file as source_file,
        source._row_number as source_row_number,
        source._loaded_at as loaded_at,
        row_number() over (
            partition by source.submission_id
            order by source._row_number
        ) as duplicate_rank
    from source
    inner join current_submissions
        on source.submission_id = current_submissions.submission_id
),

final as (
    select
        submission_id,
        bapas_code,
        plan_year,
        report_date,
        version_no,
        source_file,
        source_row_number,
        loaded_at
    from renamed
    where duplicate_rank = 1
)

select * from final
