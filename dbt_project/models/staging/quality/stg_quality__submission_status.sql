with

source as (
    select * from {{ source('quality', 'submission_status') }}
),

final as (
    select
        kode_bapas as bapas_code,
        kode_kanwil as kanwil_code,
        report_kind,
        periode as period,
        deadline as deadline_date,
        received as is_received,
        first_received_at,
        accepted as is_accepted,
        on_time as is_on_time,
        status as report_status,
        days_overdue,
        possibly_inactive as is_possibly_inactive,
        current_submission_id,
        as_of_date,
        counts_as_expected,
        counts_as_reported,
        counts_as_on_time
    from source
)

select * from final
