{#- Data tests on a nightly build look at recent months only (issue 16: they scanned the whole
    history every night, so adding one month cost as much as a full build and grew with the
    years). Every data test carries the project-level `where` placeholder `__lipas_recent__`
    (dbt_project.yml). When the nightly passes env LIPAS_DBT_TEST_SINCE (a first-of-month date:
    the earliest month changed since the last build, or the judging window's first month if
    earlier), a test on a model with `period_month` and `submission_id` columns reads only the
    rows of submissions from that month on. Anything else (no variable: CI, `lipas build`, a
    first or full-refresh build; another model) tests the whole table. Unchanged months passed
    these tests on the night they last changed. The variable is read only when `execute` is
    true, so partial parsing survives a new value each night (see as_of_date). On a model whose
    `period` is the period the ledger gave each row's submission (meta
    `period_is_submission_period`: the raw rows' `_reporting_period` carried through), the test
    also reads `period >= since`, which that id list implies: ids are hashes, so no row group can
    be skipped by them, while periods arrive in order and DuckDB skips every older row group of a
    fact (the unique test on fct_client_need read ten years of needs every night; issue 16). -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where == '__lipas_recent__' -%}
        {%- set since = env_var('LIPAS_DBT_TEST_SINCE', '') if execute else '' -%}
        {%- set where = none -%}
        {%- if since and lipas_tested_model_has('period_month')
            and lipas_tested_model_has('submission_id') -%}
            {%- set where = lipas_recent_submissions(since[:7]) -%}
            {%- if lipas_tested_model_meta('period_is_submission_period') -%}
                {%- set where = "period >= '" ~ since[:7] ~ "' and " ~ where -%}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') as dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- A predicate selecting the monthly submissions of `first_month` ('YYYY-MM') and later, as
    literal ids: both engines push a literal list on submission_id down through the staging
    views' window functions into the raw scans, where a filter on the computed period_month is
    applied only after the whole view is computed (measured: no gain at all). -#}
{% macro lipas_recent_submissions(first_month) -%}
    {%- set query -%}
        select submission_id from ledger.submissions
        where report_kind = 'monthly' and periode >= '{{ first_month }}'
        order by submission_id
    {%- endset -%}
    {%- set ids = run_query(query).columns[0].values() -%}
    {%- if ids | length == 0 -%}
        {%- do return('false') -%}
    {%- endif -%}
    {%- set quoted = [] -%}
    {%- for id in ids -%}
        {%- do quoted.append("'" ~ (id | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {%- do return('submission_id in (' ~ (quoted | join(', ')) ~ ')') -%}
{%- endmacro %}

{#- Whether the model a data test is attached to documents `column` (false for tests not
    attached to one model). -#}
{% macro lipas_tested_model_has(column) -%}
    {%- set attached = model.get('attached_node') -%}
    {%- do return(attached is not none and attached in graph.nodes
        and column in graph.nodes[attached].columns) -%}
{%- endmacro %}

{#- The tested model's `meta` value for `key` (none for tests not attached to one model). -#}
{% macro lipas_tested_model_meta(key) -%}
    {%- set attached = model.get('attached_node') -%}
    {%- if attached is none or attached not in graph.nodes -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- do return(graph.nodes[attached].config.meta.get(key)) -%}
{%- endmacro %}
