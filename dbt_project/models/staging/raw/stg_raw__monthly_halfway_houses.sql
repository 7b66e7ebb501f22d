with

source as (
    select * from {{ source('raw', 'monthly_griya_abhipraya') }}
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
        source.kapasitas as capacity,
        source.penghuni_awal as residents_start,
        source.masuk as admissions,
        source.keluar as departures,
        source.penghuni_akhir as residents_end,
        source._source_file as source_file,
        source._row_number as source_row_number,
        source._loaded_at as loaded_at,
        row_number() over (
            partition by source._reporting_period, source.submission_id
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
        period,
        period_month,
        capacity,
        residents_start,
        admissions,
        departures,
        residents_end,
        source_file,
        source_row_number,
        loaded_at
    from renamed
    where duplicate_rank = 1
)

select * from final
