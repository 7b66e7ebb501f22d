-- Bapas with their Kanwil and province and validity window (who owes a report depends on it).
with

bapas as (
    select * from {{ ref('ref_bapas') }}
),

kanwil as (
    select * from {{ ref('ref_kanwil') }}
),

final as (
    select
        bapas.kode_bapas as bapas_code,
        bapas.kode_satker as satker_code,
        bapas.nama_resmi as official_name,
        bapas.nama_singkat as short_name,
        bapas.kelas as office_class,
        bapas.kode_kanwil as kanwil_code,
        kanwil.nama_kanwil as kanwil_name,
        bapas.provinsi as province,
        bapas.kota as city,
        bapas.kode_bapas_induk as parent_bapas_code,
        bapas.griya_abhipraya_sejak as halfway_house_since,
        bapas.aktif_dari as valid_from,
        bapas.aktif_sampai as valid_to,
        (
            bapas.aktif_dari <= {{ as_of_date() }}
            and (bapas.aktif_sampai is null or bapas.aktif_sampai >= {{ as_of_date() }})
        ) as is_active_on_as_of_date,
        bapas.keyakinan as reference_confidence
    from bapas
    left join kanwil
        on bapas.kode_kanwil = kanwil.kode_kanwil
)

select * from final
