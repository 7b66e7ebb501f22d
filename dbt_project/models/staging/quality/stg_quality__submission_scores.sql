with

source as (
    select * from {{ source('quality', 'submission_scores') }}
),

ranked as (
    select
        kode_bapas as bapas_code,
        report_kind,
        periode as period,
        completeness_score,
        timeliness_score,
        findings_score,
        quality_score,
        open_errors,
        open_warnings,
        computed_at,
        -- quality may append a new score per run; the latest one is in force.
        row_number() over (
            partition by kode_bapas, report_kind, periode
            order by computed_at desc
        ) as score_rank
    from source
),

final as (
    select
        bapas_code,
        report_kind,
        period,
        completeness_score,
        timeliness_score,
        findings_score,
        quality_score,
        open_errors,
        open_warnings,
        computed_at
    from ranked
    where score_rank = 1
)

select * from final
