with

source as (
    select * from {{ source('raw', 'monthly_peserta') }}
),

current_submissions as (
    select submission_id from {{ source('ledger', 'submissions') }}
    where is_current
),

renamed as (
    select
        source.submission_id,
        source.kode_bapas as bapas_code,
        source._reporting_period as period,
        {{ month_start('source._reporting_period') }} as period_month,
        source.kode_kegiatan as activity_code,
        source.no_register as register_no,
        source.hadir as attended,
        source.selesai as completed,
        source.hasil as outcome_code,
        source._source_file as source_file,
        source._row_number as source_row_number,
        source._loaded_at as loaded_at,
        row_number() over (
            partition by source._reporting_period, source.submission_id, source.kode_kegiatan, source.no_register
            order by source._row_number
        ) as duplicate_rank
    from source
    inner join current_submissions
        on source.submission_id = current_submissions.submission_id
    where
        source.kode_kegiatan is not null
        and source.no_register is not null
),

final as (
    select
        submission_id,
        bapas_code,
        period,
        period_month,
        activity_code,
        register_no,
        attended,
        completed,
        outcome_code,
        source_file,
        source_row_number,
        loaded_at
    from renamed
    where duplicate_rank = 1
)

select * from final
