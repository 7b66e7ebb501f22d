-- One row per month, quarter and year from var period_spine_start to the end of the as-of year.
-- Month rows carry their quarter and year so marts can roll months up with grouping sets.
with

bounds as (
    select
        cast('{{ var("period_spine_start") }}' as date) as first_month,
        {{ as_of_date() }} as as_of
),

offsets as (
    select month_offset
    from generate_series(0, 1199) as month_numbers (month_offset)
),

months as (
    select
        {{ add_months('bounds.first_month', 'offsets.month_offset') }} as period_start,
        bounds.as_of
    from offsets
    cross join bounds
    where
        offsets.month_offset
        < (extract(year from bounds.as_of) - extract(year from bounds.first_month) + 1) * 12
        - (extract(month from bounds.first_month) - 1)
),

month_parts as (
    select
        period_start,
        as_of,
        cast(extract(year from period_start) as integer) as year_number,
        cast(extract(quarter from period_start) as integer) as quarter_number,
        cast(extract(month from period_start) as integer) as month_number
    from months
),

labelled as (
    select
        period_start,
        as_of,
        year_number,
        quarter_number,
        month_number,
        cast(year_number as text)
        || '-' || lpad(cast(month_number as text), 2, '0') as month_period,
        cast(year_number as text)
        || '-Q' || cast(quarter_number as text) as quarter_period,
        cast(year_number as text) as year_period,
        {{ add_months("date_trunc('year', period_start)", '(quarter_number - 1) * 3') }}
            as quarter_start,
        cast(date_trunc('year', period_start) as date) as year_start
    from month_parts
),

all_grains as (
    select
        month_period as period,
        'month' as period_grain,
        period_start,
        {{ month_end('period_start') }} as period_end,
        year_number,
        quarter_number,
        month_number,
        month_period,
        quarter_period,
        quarter_start,
        year_period,
        year_start,
        1 as month_count,
        as_of
    from labelled

    union all

    select
        quarter_period as period,
        'quarter' as period_grain,
        quarter_start as period_start,
        cast({{ add_months('quarter_start', 3) }} - interval '1 day' as date) as period_end,
        year_number,
        quarter_number,
        null as month_number,
        null as month_period,
        quarter_period,
        quarter_start,
        year_period,
        year_start,
        3 as month_count,
        as_of
    from labelled
    where month_number in (1, 4, 7, 10)

    union all

    select
        year_period as period,
        'year' as period_grain,
        year_start as period_start,
        cast({{ add_months('year_start', 12) }} - interval '1 day' as date) as period_end,
        year_number,
        null as quarter_number,
        null as month_number,
        null as month_period,
        null as quarter_period,
        null as quarter_start,
        year_period,
        year_start,
        12 as month_count,
        as_of
    from labelled
    where month_number = 1
),

final as (
    select
        cast(period as text) as period,
        cast(period_grain as text) as period_grain,
        period_start,
        period_end,
        year_number,
        quarter_number,
        cast(month_number as integer) as month_number,
        cast(month_period as text) as month_period,
        cast(quarter_period as text) as quarter_period,
        cast(quarter_start as date) as quarter_start,
        year_period,
        year_start,
        month_count,
        period_end <= as_of as is_complete
    from all_grains
)

select * from final
