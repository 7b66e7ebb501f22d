"""The stylesheet that replaces the CDN-hosted Bootstrap/Font Awesome in our Data Docs.

GX 1.24's pages link Bootstrap 4, bootstrap-table, datepicker, Font Awesome, jQuery and Vega from
public CDNs; offline (the warehouse server has no internet) they render unstyled and the GX
index stays empty. Rather than vendoring those libraries, we strip the CDN tags and ship this
small stylesheet (our own code, no third-party licence) covering the classes GX's validation and
suite pages actually use. Nothing needs JavaScript: collapsed sections stay open.
"""

from __future__ import annotations

OFFLINE_CSS_NAME = "lipas_offline.css"

OFFLINE_CSS = """/* lipas Data Docs: offline replacement for the CDN styles. */
*, *::before, *::after { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  font-size: 15px; line-height: 1.45; color: #212529; background: #fff; }
a { color: #0b5ed7; text-decoration: none; } a:hover { text-decoration: underline; }
h1, h2, h3, h4, h5, h6, .h6 { margin: .4em 0 .5em; font-weight: 600; line-height: 1.2; }
.container, .container-fluid { width: 100%; padding: 0 15px; margin: 0 auto; }
.container { max-width: 1140px; }
.row { display: flex; flex-wrap: wrap; margin: 0 -15px; }
[class*="col-"] { position: relative; width: 100%; padding: 0 15px; }
@media (min-width: 768px) {
  .col-md-2 { flex: 0 0 16.66%; max-width: 16.66%; }
  .col-md-10 { flex: 0 0 83.33%; max-width: 83.33%; }
  .col-md-12 { flex: 0 0 100%; max-width: 100%; }
  .d-md-block { display: block !important; } .d-md-inline-flex { display: inline-flex !important; }
}
.col-12 { flex: 0 0 100%; max-width: 100%; }
.navbar { display: flex; align-items: center; padding: 8px 16px; background: #f8f9fa; }
.navbar img { display: none; }
.navbar-brand a::before { content: "Data Docs"; font-weight: 700; font-size: 20px; }
.sticky-top { position: sticky; top: 0; z-index: 10; }
.border-bottom { border-bottom: 1px solid #dee2e6; }
.breadcrumb { display: flex; list-style: none; margin: 0 0 0 12px; padding: 4px 8px; }
.breadcrumb-item + .breadcrumb-item::before { content: "/"; padding: 0 6px; color: #6c757d; }
.card { border: 1px solid #dee2e6; border-radius: 4px; margin-bottom: 12px; background: #fff; }
.card-header { padding: 8px 12px; background: #f1f3f5; border-bottom: 1px solid #dee2e6; }
.card-body { padding: 12px; }
.table { width: 100%; border-collapse: collapse; margin-bottom: 12px; }
.table th, .table td { padding: 6px 8px; border-top: 1px solid #dee2e6; vertical-align: top;
  text-align: left; }
.table thead th { border-bottom: 2px solid #dee2e6; }
.table-sm th, .table-sm td { padding: 3px 6px; }
.table-responsive { overflow-x: auto; }
.badge { display: inline-block; padding: 2px 6px; border-radius: 4px; font-size: 80%;
  font-weight: 600; background: #6c757d; color: #fff; }
.badge-success { background: #198754; } .badge-danger { background: #dc3545; }
.alert { padding: 8px 12px; border-radius: 4px; margin-bottom: 12px; }
.alert-secondary { background: #e2e3e5; } .alert-danger { background: #f8d7da; }
.btn { display: inline-block; padding: 4px 10px; border: 1px solid #0b5ed7; border-radius: 4px; }
.btn-group { display: none; } /* "show/hide succeeded" needs jQuery: hidden offline */
.text-danger { color: #b02a37; } .text-success { color: #146c43; } .text-muted { color: #6c757d; }
.d-none { display: none !important; } .d-flex { display: flex; }
.modal, .ge-walkthrough-modal, .modal-backdrop { display: none !important; }
.collapse { display: block; } /* no JavaScript to open them: keep collapsed sections open */
.show-scrollbars { overflow-x: auto; }
ul.nav { list-style: none; padding-left: 0; }
.nav-link { display: block; padding: 2px 0; }
.fas, .far, .fa { font-style: normal; }
.fa-check-circle::before, .fa-check::before { content: "\\2714"; color: #146c43; }
.fa-times::before, .fa-times-circle::before { content: "\\2718"; color: #b02a37; }
.fa-exclamation-triangle::before { content: "\\26A0"; color: #b58100; }
.fa-info-circle::before { content: "\\2139"; }
footer { display: none; } /* GX newsletter link: nothing to fetch offline */
.lipas-fail { color: #b02a37; font-weight: 600; } .lipas-pass { color: #146c43; font-weight: 600; }
"""
