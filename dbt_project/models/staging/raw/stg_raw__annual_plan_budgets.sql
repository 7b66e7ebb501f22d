with

source as (
    select * from {{ source('raw', 'annual_plan_anggaran') }}
),

current_submissions as (
    select submission_id from {{ source('ledger', 'submissions') }}
    where is_current
),

renamed as (
    select
        source.submission_id,
        source.kode_bapas as bapas_code,
        cast(source._reporting_period as integer) as plan_year,
        source.kebutuhan as need_code,
        source.sumber_dana as funding_source,
        source.anggaran_rp as budget_idr,
        source._source_file as source_file,
        source._row_number as source_row_number,
        source._loaded_at as loaded_at,
        row_number() over (
            partition by source.submission_id, source.kebutuhan, source.sumber_dana
            order by source._row_number
        ) as duplicate_rank
    from source
    inner join current_submissions
        on source.submission_id = current_submissions.submission_id
    where
        source.kebutuhan is not null
        and source.sumber_dana is not null
),

final as (
    select
        submission_id,
        bapas_code,
        plan_year,
        need_code,
        funding_source,
        budget_idr,
        source_file,
        source_row_number,
        loaded_at
    from renamed
    where duplicate_rank = 1
)

select * from final
