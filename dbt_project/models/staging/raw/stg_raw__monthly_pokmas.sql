with

source as (
    select * from {{ source('raw', 'monthly_pokmas') }}
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
        source.kode_pokmas as pokmas_code,
        source.nama as pokmas_name,
        source.bidang as field_code,
        source.bentuk as legal_form,
        source.no_pks as agreement_no,
        source.tanggal_pks as agreement_date,
        source.tanggal_berakhir_pks as agreement_end_date,
        source.jumlah_mitra as partner_count,
        source.kabupaten_kota as district,
        source.status as pokmas_status,
        source._source_file as source_file,
        source._row_number as source_row_number,
        source._loaded_at as loaded_at,
        row_number() over (
            partition by source._reporting_period, source.submission_id, source.kode_pokmas
            order by source._row_number
        ) as duplicate_rank
    from source
    inner join current_submissions
        on source.submission_id = current_submissions.submission_id
    where
        source.kode_pokmas is not null
),

final as (
    select
        submission_id,
        bapas_code,
        period,
        period_month,
        pokmas_code,
        pokmas_name,
        field_code,
        legal_form,
        agreement_no,
        agreement_date,
        agreement_end_date,
        partner_count,
        district,
        pokmas_status,
        source_file,
        source_row_number,
        loaded_at
    from renamed
    where duplicate_rank = 1
)

select * from final
