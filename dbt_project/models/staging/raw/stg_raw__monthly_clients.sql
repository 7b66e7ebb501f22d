with

source as (
    select * from {{ source('raw', 'monthly_klien') }}
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
        source.no_register as register_no,
        source.client_key,
        source.nik_status,
        source.jenis_kelamin as sex,
        source.tahun_lahir as birth_year,
        source.umur_akhir_periode as age_at_period_end,
        source.kategori as client_category,
        source.jenis_program as programme_code,
        source.tanggal_mulai as supervision_start_date,
        source.tanggal_selesai_rencana as planned_end_date,
        source.status_akhir_bulan as month_end_status,
        source.tanggal_status as status_date,
        replace(source.kebutuhan, ' ', '') as need_codes,
        source.wajib_lapor_jadwal as checkins_scheduled,
        source.wajib_lapor_hadir as checkins_attended,
        source.tindak_pidana_baru as new_offence,
        source._source_file as source_file,
        source._row_number as source_row_number,
        source._loaded_at as loaded_at,
        row_number() over (
            partition by source._reporting_period, source.submission_id, source.no_register
            order by source._row_number
        ) as duplicate_rank
    from source
    inner join current_submissions
        on source.submission_id = current_submissions.submission_id
    where
        source.no_register is not null
),

final as (
    select
        submission_id,
        bapas_code,
        period,
        period_month,
        register_no,
        client_key,
        nik_status,
        sex,
        birth_year,
        age_at_period_end,
        client_category,
        programme_code,
        supervision_start_date,
        planned_end_date,
        month_end_status,
        status_date,
        need_codes,
        checkins_scheduled,
        checkins_attended,
        new_offence,
        source_file,
        source_row_number,
        loaded_at
    from renamed
    where duplicate_rank = 1
)

select * from final
