with

source as (
    select * from {{ source('raw', 'monthly_kegiatan') }}
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
        source.kode_pokmas as pokmas_code,
        source.tanggal as activity_date,
        source.jenis_kegiatan as activity_type,
        source.kebutuhan_sasaran as target_need_code,
        source.lokasi as location_code,
        source.durasi_jam as duration_hours,
        source.sumber_dana as funding_source,
        source.biaya_rp as cost_idr,
        source.jumlah_peserta as reported_participants,
        source._source_file as source_file,
        source._row_number as source_row_number,
        source._loaded_at as loaded_at,
        row_number() over (
            partition by source._reporting_period, source.submission_id, source.kode_kegiatan
            order by source._row_number
        ) as duplicate_rank
    from source
    inner join current_submissions
        on source.submission_id = current_submissions.submission_id
    where
        source.kode_kegiatan is not null
),

final as (
    select
        submission_id,
        bapas_code,
        period,
        period_month,
        activity_code,
        pokmas_code,
        activity_date,
        activity_type,
        target_need_code,
        location_code,
        duration_hours,
        funding_source,
        cost_idr,
        reported_participants,
        source_file,
        source_row_number,
        loaded_at
    from renamed
    where duplicate_rank = 1
)

select * from final
