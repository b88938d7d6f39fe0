//! The ISO/IEC 27002:2022 evidence report as one self-contained HTML page: inline CSS, no
//! script, no network. An overview grid of all 93 controls coloured by status (grouped by
//! theme), a table of the evidenced controls, then per control its rules, findings with
//! their source lines, and suppressions with their reasons; the evidence gaps last.
//! Printable (A4, colours kept, one control per block). Every text is escaped.

use super::plural;
use std::fmt::Write as _;
use std::io::Write;

use super::coverage::{ControlEvidence, Coverage, Status, THEMES, snippet};
use super::{Report, scanned_root, severity_counts};
use crate::finding::{Finding, SuppressionKind};
use crate::rules::Severity;

const CSS: &str = r#"
:root {
  --ink: #101828; --ink-2: #344054; --muted: #667085; --line: #e4e7ec; --paper: #ffffff;
  --bg: #f5f6f8; --accent: #1d3a6e;
  --failing: #c4320a; --failing-bg: #fef3f2; --failing-line: #fecdca;
  --suppressed: #b54708; --suppressed-bg: #fffaeb; --suppressed-line: #fedf89;
  --passing: #067647; --passing-bg: #ecfdf3; --passing-line: #abefc6;
  --noteval: #475467; --noteval-bg: #eaecf0; --noteval-line: #d0d5dd;
  --norule: #98a2b3; --notobs: #d0d5dd;
  --critical: #7a1c9c; --high: #c4320a; --medium: #dc6803; --low: #ca8504; --info: #1570ef;
  --mono: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace;
}
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "DejaVu Sans", Arial, sans-serif; }
a { color: var(--accent); }
code, pre { font-family: var(--mono); font-size: 12.5px; }
.page { max-width: 1180px; margin: 0 auto; padding: 0 28px 48px; }
.doc-head { background: linear-gradient(135deg, #0f2447 0%, #1d3a6e 60%, #24508f 100%); color: #fff; }
.doc-head .page { padding-top: 34px; padding-bottom: 30px; }
.eyebrow { text-transform: uppercase; letter-spacing: .14em; font-size: 11.5px; font-weight: 600; color: #b6c8e6; }
h1 { font-size: 30px; line-height: 1.2; margin: 6px 0 4px; font-weight: 700; letter-spacing: -.01em; }
.subtitle { margin: 0 0 22px; color: #d5e0f2; font-size: 15px; }
.meta { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 1px; margin: 0;
  background: rgba(255,255,255,.18); border: 1px solid rgba(255,255,255,.18); border-radius: 8px; overflow: hidden; }
.meta div { background: rgba(15,36,71,.55); padding: 10px 14px; }
.meta dt { font-size: 11px; text-transform: uppercase; letter-spacing: .08em; color: #a9bbdb; }
.meta dd { margin: 2px 0 0; font-weight: 600; overflow-wrap: anywhere; }
.meta code { font-size: 13px; }
nav.toc { position: sticky; top: 0; z-index: 5; background: rgba(255,255,255,.96); border-bottom: 1px solid var(--line); }
nav.toc .page { display: flex; gap: 22px; padding-top: 10px; padding-bottom: 10px; font-size: 13px; }
nav.toc a { text-decoration: none; color: var(--ink-2); font-weight: 600; }
nav.toc a:hover { color: var(--accent); }
section { margin-top: 34px; }
h2 { font-size: 20px; margin: 0 0 6px; letter-spacing: -.01em; }
.lede { color: var(--muted); margin: 0 0 16px; max-width: 820px; }
.card { background: var(--paper); border: 1px solid var(--line); border-radius: 10px; padding: 20px 22px; }
.kpis { display: grid; grid-template-columns: repeat(6, minmax(0, 1fr)); gap: 12px; margin-top: 26px; }
.kpi { background: var(--paper); border: 1px solid var(--line); border-top: 4px solid var(--c); border-radius: 10px; padding: 12px 14px; }
.kpi .n { font-size: 28px; font-weight: 700; line-height: 1.1; color: var(--c); }
.kpi .l { font-weight: 600; font-size: 13px; }
.kpi .d { color: var(--muted); font-size: 11.5px; line-height: 1.35; margin-top: 4px; }
.k-failing { --c: var(--failing); } .k-suppressed { --c: #dc6803; } .k-passing { --c: var(--passing); }
.k-not-evaluated { --c: var(--noteval); } .k-no-rule { --c: var(--norule); } .k-not-observable { --c: #98a2b3; }
.findings-line { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin-top: 12px; color: var(--ink-2); }
.findings-line .sep { color: var(--line); }
.sev { display: inline-block; border-radius: 999px; padding: 1px 9px; font-size: 11.5px; font-weight: 700;
  color: #fff; background: var(--s); text-transform: uppercase; letter-spacing: .04em; white-space: nowrap; }
.sev-critical { --s: var(--critical); } .sev-high { --s: var(--high); } .sev-medium { --s: var(--medium); }
.sev-low { --s: var(--low); } .sev-info { --s: var(--info); }
.legend { display: flex; flex-wrap: wrap; gap: 16px; margin: 4px 0 18px; font-size: 12.5px; color: var(--ink-2); }
.legend span { display: inline-flex; align-items: center; gap: 6px; }
.swatch { width: 14px; height: 14px; border-radius: 3px; display: inline-block; }
.theme { margin-top: 18px; }
.theme h3 { font-size: 14px; margin: 0 0 8px; display: flex; gap: 10px; align-items: baseline; }
.theme h3 .num { color: var(--muted); font-weight: 600; }
.theme h3 .stats { color: var(--muted); font-weight: 400; font-size: 12.5px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(104px, 1fr)); gap: 6px; }
.tile { display: block; border-radius: 7px; padding: 7px 9px 8px; min-height: 66px; text-decoration: none; color: var(--ink);
  border: 1px solid transparent; position: relative; }
.tile .id { font-weight: 700; font-size: 14px; display: block; }
.tile .t { font-size: 10.5px; line-height: 1.25; display: -webkit-box; -webkit-line-clamp: 3; -webkit-box-orient: vertical; overflow: hidden; }
.tile.failing { background: var(--failing); color: #fff; }
.tile.suppressed { background: #f79009; color: #fff; }
.tile.passing { background: #12b76a; color: #fff; }
.tile.not-evaluated { background: var(--noteval-bg); border-color: var(--noteval-line); color: var(--ink-2); }
.tile.no-rule { background: var(--paper); border: 1px dashed #98a2b3; color: var(--ink-2); }
.tile.not-observable { background: repeating-linear-gradient(135deg, #f2f4f7 0 6px, #eaecf0 6px 12px); color: #98a2b3; }
.tile .badge { position: absolute; top: 6px; right: 7px; font-size: 10.5px; font-weight: 700; background: rgba(255,255,255,.25);
  border-radius: 999px; padding: 0 6px; }
a.tile:hover { outline: 2px solid var(--accent); outline-offset: 1px; }
.sw-failing { background: var(--failing); } .sw-suppressed { background: #f79009; } .sw-passing { background: #12b76a; }
.sw-not-evaluated { background: var(--noteval-bg); border: 1px solid var(--noteval-line); }
.sw-no-rule { background: #fff; border: 1px dashed #98a2b3; }
.sw-not-observable { background: repeating-linear-gradient(135deg, #f2f4f7 0 3px, #d0d5dd 3px 5px); }
table { width: 100%; border-collapse: collapse; background: var(--paper); font-size: 13px; }
th { text-align: left; font-size: 11.5px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted);
  font-weight: 600; border-bottom: 1px solid var(--line); padding: 8px 10px; background: #f9fafb; }
td { border-bottom: 1px solid var(--line); padding: 8px 10px; vertical-align: top; }
tr:last-child td { border-bottom: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; width: 1%; white-space: nowrap; }
td.ctl { min-width: 230px; }
th.st, td.st { width: 1%; white-space: nowrap; }
.table-wrap { border: 1px solid var(--line); border-radius: 10px; overflow: hidden; }
.status { display: inline-block; font-size: 11.5px; font-weight: 700; padding: 1px 9px; border-radius: 999px; white-space: nowrap; border: 1px solid; }
.status.failing { color: var(--failing); background: var(--failing-bg); border-color: var(--failing-line); }
.status.suppressed { color: var(--suppressed); background: var(--suppressed-bg); border-color: var(--suppressed-line); }
.status.passing { color: var(--passing); background: var(--passing-bg); border-color: var(--passing-line); }
.status.not-evaluated { color: var(--noteval); background: var(--noteval-bg); border-color: var(--noteval-line); }
.status.no-rule, .status.not-observable { color: var(--muted); background: #fff; border-color: var(--line); }
.bar { display: flex; height: 8px; min-width: 120px; border-radius: 4px; overflow: hidden; background: var(--noteval-bg); margin-top: 5px; }
.bar span { display: block; height: 100%; }
.bar .b-pass { background: #12b76a; } .bar .b-fail { background: var(--failing); } .bar .b-supp { background: #f79009; }
.control { background: var(--paper); border: 1px solid var(--line); border-left: 5px solid var(--c, var(--line)); border-radius: 10px;
  padding: 18px 22px; margin-top: 16px; }
.control.failing { --c: var(--failing); } .control.suppressed { --c: #f79009; } .control.passing { --c: #12b76a; }
.control.not-evaluated { --c: var(--noteval-line); }
.control > header { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
.control .cid { font-size: 20px; font-weight: 800; color: var(--c); min-width: 52px; }
.control.not-evaluated .cid { color: var(--noteval); }
.control h3 { margin: 0; font-size: 18px; flex: 1; }
.facts { color: var(--muted); margin: 4px 0 14px; font-size: 13px; }
.facts b { color: var(--ink-2); }
h4 { font-size: 12px; text-transform: uppercase; letter-spacing: .07em; color: var(--muted); margin: 18px 0 8px; }
.rule-title { color: var(--ink-2); }
tr.idle td { color: var(--muted); }
tr.idle .rule-title, tr.idle a { color: var(--muted); }
tr.idle .sev { opacity: .55; }
code.chip { display: inline-block; white-space: nowrap; font-size: 11px; background: #f2f4f7; border: 1px solid var(--line); border-radius: 4px; padding: 0 5px; margin: 0 4px 4px 0; color: var(--ink-2); }
.rule-desc { color: var(--muted); font-size: 12px; margin-top: 2px; }
.finding { border: 1px solid var(--line); border-radius: 8px; margin-top: 10px; overflow: hidden; break-inside: avoid; }
.finding .fh { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; padding: 9px 12px; background: #f9fafb; border-bottom: 1px solid var(--line); }
.finding .rid { font-weight: 700; font-family: var(--mono); font-size: 12.5px; }
.finding .loc { margin-left: auto; font-family: var(--mono); font-size: 12px; color: var(--ink-2); }
.finding .msg { padding: 9px 12px 0; margin: 0; font-weight: 600; }
.finding .res { color: var(--muted); font-family: var(--mono); font-size: 12px; padding: 0 12px; }
pre.src { margin: 9px 12px; background: #0f172a; color: #e2e8f0; border-radius: 6px; padding: 8px 0; overflow-x: auto; line-height: 1.55; }
pre.src .l { display: block; padding: 0 12px 0 0; white-space: pre; }
pre.src .l.hl { background: rgba(248, 113, 113, .16); box-shadow: inset 3px 0 0 #f97066; }
pre.src .ln { display: inline-block; width: 46px; padding-right: 12px; text-align: right; color: #64748b; user-select: none; }
pre.src .gap { color: #64748b; padding-left: 58px; display: block; }
.fix { margin: 0; padding: 0 12px 11px; font-size: 13px; color: var(--ink-2); }
.fix b { color: var(--passing); }
.reason { margin: 0 12px 11px; padding: 8px 11px; background: var(--suppressed-bg); border: 1px solid var(--suppressed-line); border-radius: 6px; font-size: 13px; }
.reason b { color: var(--suppressed); }
.finding.is-suppressed .fh { background: var(--suppressed-bg); }
.empty { color: var(--muted); font-style: italic; }
.cols { columns: 2; column-gap: 36px; }
.cols .group { break-inside: avoid; margin-bottom: 14px; }
.cols h3 { font-size: 13px; margin: 0 0 6px; }
ul.plain { list-style: none; padding: 0; margin: 0; font-size: 13px; }
ul.plain li { padding: 3px 0; border-bottom: 1px dotted var(--line); }
ul.plain .id { display: inline-block; min-width: 40px; font-weight: 700; color: var(--ink-2); }
.error-box { border-left: 5px solid var(--failing); }
footer.doc-foot { margin-top: 40px; padding-top: 16px; border-top: 1px solid var(--line); color: var(--muted); font-size: 12px; }
footer.doc-foot p { margin: 4px 0; max-width: 900px; }
@media (max-width: 900px) { .kpis { grid-template-columns: repeat(3, 1fr); } .meta { grid-template-columns: repeat(2, 1fr); } .cols { columns: 1; } }
@media print {
  @page { size: A4; margin: 14mm 12mm 16mm; }
  body { background: #fff; font-size: 11px; }
  .page { max-width: none; padding: 0; }
  .doc-head .page { padding: 18px 20px; }
  nav.toc { display: none; }
  section { margin-top: 20px; }
  .kpi, .card, .control, .table-wrap { border-color: #d0d5dd; }
  .control { break-inside: auto; padding: 12px 14px; }
  .control > header, h2, h3, h4 { break-after: avoid; }
  .finding, tr, .tile { break-inside: avoid; }
  #evidence { break-before: page; }
  .grid { grid-template-columns: repeat(10, 1fr); gap: 4px; }
  .tile { min-height: 50px; padding: 5px 6px; }
  .tile .t { font-size: 8px; }
  .tile .badge { top: auto; bottom: 3px; right: 4px; font-size: 8px; padding: 0 4px; }
  table { font-size: 10px; }
  th { font-size: 8.5px; padding: 5px 6px; }
  td { padding: 5px 6px; }
  code.chip { font-size: 8.5px; margin: 0 2px 2px 0; }
  .rule-desc { font-size: 9px; }
  tr.idle .rule-desc { display: none; }
  .kpi .n { font-size: 22px; }
  .finding .fh, .finding .msg { padding: 6px 9px 0; }
  .finding .fh { padding-bottom: 6px; }
  pre.src { white-space: pre-wrap; font-size: 9.5px; }
  pre.src .l { white-space: pre-wrap; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Never a raw line break or control character from scanned text: printed to a
            // CI log, it could start a workflow command.
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if c.is_control() && c != '\t' => {
                let mut buf = [0; 4];
                out.push_str(&super::sanitize::line(c.encode_utf8(&mut buf)));
            }
            c => out.push(c),
        }
    }
    out
}

fn anchor(id: &str) -> String {
    format!("c-{}", id.replace('.', "-"))
}

/// Only http(s) links become anchors (a `javascript:` reference must not).
fn safe_url(url: &str) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then(|| esc(url))
}

pub fn write(report: &Report, scan_time: &str, out: &mut dyn Write) -> std::io::Result<()> {
    out.write_all(super::sanitize::lines(&render(report, scan_time)).as_bytes())
}

pub fn render(report: &Report, scan_time: &str) -> String {
    let cov = Coverage::build(report);
    let root = scanned_root(report);
    let mut h = String::with_capacity(64 * 1024);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"isolint {v}\">\n<title>ISO/IEC 27002:2022 evidence — {r}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        v = env!("CARGO_PKG_VERSION"),
        r = esc(&root),
    );
    header(&mut h, report, &cov, &root, scan_time);
    let _ = write!(
        h,
        "<nav class=\"toc\"><div class=\"page\"><a href=\"#overview\">Overview</a><a href=\"#controls\">Evidenced controls</a><a href=\"#evidence\">Evidence by control</a><a href=\"#gaps\">Gaps</a>{}</div></nav>\n<main class=\"page\">\n",
        if report.errors.is_empty() {
            ""
        } else {
            "<a href=\"#errors\">Files not analysed</a>"
        }
    );
    kpis(&mut h, report, &cov);
    overview(&mut h, &cov);
    controls_table(&mut h, &cov);
    evidence(&mut h, report, &cov);
    gaps(&mut h, &cov);
    errors(&mut h, report);
    let _ = write!(
        h,
        "<footer class=\"doc-foot\">\
<p><b>How to read this report.</b> isolint evaluates infrastructure code (Terraform, Kubernetes manifests, Dockerfiles, Compose files, CI workflows) against rules, each mapped to ISO/IEC 27002:2022 controls. \
A control is <i>passing</i> when every resource in scope satisfies every rule mapped to it; this is evidence for the control as far as code can show it, not a certification that the control is implemented.</p>\
<p>Counts are resources: <i>checked</i> is how many resources each rule evaluated (summed over the control’s rules), <i>failed</i> the resources with an open finding, <i>suppressed</i> those whose findings were accepted with a recorded reason.</p>\
<p>Control identifiers and titles follow ISO/IEC 27002:2022; the text of the standard is not reproduced. Generated by isolint {} on {}.</p>\
</footer>\n</main>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        esc(scan_time)
    );
    h
}

fn header(h: &mut String, report: &Report, cov: &Coverage, root: &str, scan_time: &str) {
    let s = &report.summary;
    let _ = writeln!(
        h,
        "<header class=\"doc-head\"><div class=\"page\">\
<div class=\"eyebrow\">Infrastructure-as-code assessment · isolint {}</div>\
<h1>ISO/IEC 27002:2022 control evidence</h1>\
<p class=\"subtitle\">What the infrastructure code of <code>{}</code> shows for each of the 93 controls.</p>\
<dl class=\"meta\">\
<div><dt>Scanned path</dt><dd><code>{}</code></dd></div>\
<div><dt>Scan date</dt><dd>{}</dd></div>\
<div><dt>Scope</dt><dd>{} · {}</dd></div>\
<div><dt>Rules evaluated</dt><dd>{} · {}</dd></div>\
</dl></div></header>",
        env!("CARGO_PKG_VERSION"),
        esc(root),
        esc(root),
        esc(scan_time),
        plural(s.files_scanned, "file", "files"),
        plural(s.resources, "resource", "resources"),
        plural(cov.rules.len(), "rule", "rules"),
        plural(
            cov.evidenced().count(),
            "control covered",
            "controls covered"
        ),
    );
}

fn kpis(h: &mut String, report: &Report, cov: &Coverage) {
    h.push_str("<section class=\"kpis\" aria-label=\"Controls by status\">");
    for st in Status::ALL {
        let _ = write!(
            h,
            "<div class=\"kpi k-{}\"><div class=\"n\">{}</div><div class=\"l\">{}</div><div class=\"d\">{}</div></div>",
            st.slug(),
            cov.count(st),
            st.label(),
            esc(st.meaning())
        );
    }
    h.push_str("</section>\n<div class=\"findings-line\">");
    let s = &report.summary;
    let _ = write!(
        h,
        "<b>{}</b>",
        plural(s.findings, "open finding", "open findings")
    );
    for (sev, n) in severity_counts(report) {
        let _ = write!(
            h,
            "<span class=\"sev sev-{0}\">{1} {0}</span>",
            sev.as_str(),
            n
        );
    }
    let _ = write!(
        h,
        "<span class=\"sep\">|</span><span>{}</span>",
        plural(s.suppressed, "suppressed finding", "suppressed findings")
    );
    if s.parse_errors > 0 {
        let _ = write!(
            h,
            "<span class=\"sep\">|</span><a href=\"#errors\">{}</a>",
            plural(s.parse_errors, "file not analysed", "files not analysed")
        );
    }
    h.push_str("</div>\n");
}

fn legend(h: &mut String) {
    h.push_str("<div class=\"legend\">");
    for st in Status::ALL {
        let _ = write!(
            h,
            "<span><i class=\"swatch sw-{}\"></i>{}</span>",
            st.slug(),
            st.label()
        );
    }
    h.push_str("</div>\n");
}

fn overview(h: &mut String, cov: &Coverage) {
    h.push_str(
        "<section id=\"overview\"><h2>Control overview</h2>\
<p class=\"lede\">All 93 controls of ISO/IEC 27002:2022 by theme. Each tile is a control, coloured by what the scan shows; select one to see its evidence.</p>\n",
    );
    legend(h);
    h.push_str("<div class=\"card\">");
    for (num, theme, heading) in THEMES {
        let controls: Vec<&ControlEvidence> = cov
            .controls
            .iter()
            .filter(|c| c.control.theme == theme)
            .collect();
        let mut stats = Vec::new();
        for st in [Status::Failing, Status::SuppressedOnly, Status::Passing] {
            let n = controls.iter().filter(|c| c.status == st).count();
            if n > 0 {
                stats.push(format!("{n} {}", st.label().to_lowercase()));
            }
        }
        let observable = controls
            .iter()
            .filter(|c| c.status != Status::NotObservable)
            .count();
        stats.push(format!("{observable} observable in code"));
        let _ = write!(
            h,
            "<div class=\"theme\"><h3><span class=\"num\">{num}</span> {heading} <span class=\"stats\">{} · {}</span></h3><div class=\"grid\">",
            plural(controls.len(), "control", "controls"),
            stats.join(" · ")
        );
        for c in controls {
            let (_, _, failed, suppressed) = cov.totals(c);
            let target = match c.status {
                Status::NoRule => "no-rule".to_owned(),
                Status::NotObservable => "not-observable".to_owned(),
                _ => anchor(&c.control.id),
            };
            let badge = match c.status {
                Status::Failing => format!("<span class=\"badge\">{failed}</span>"),
                Status::SuppressedOnly => format!("<span class=\"badge\">{suppressed}</span>"),
                _ => String::new(),
            };
            let _ = write!(
                h,
                "<a class=\"tile {}\" href=\"#{}\" title=\"{} {} — {}\"><span class=\"id\">{}</span><span class=\"t\">{}</span>{badge}</a>",
                c.status.slug(),
                target,
                esc(&c.control.id),
                esc(&c.control.title),
                c.status.label(),
                esc(&c.control.id),
                esc(&c.control.title),
            );
        }
        h.push_str("</div></div>\n");
    }
    h.push_str("</div></section>\n");
}

fn pct(n: usize, total: usize) -> String {
    if total == 0 {
        "0".into()
    } else {
        format!("{:.1}", n as f64 * 100.0 / total as f64)
    }
}

fn controls_table(h: &mut String, cov: &Coverage) {
    h.push_str(
        "<section id=\"controls\"><h2>Evidenced controls</h2>\
<p class=\"lede\">Controls with at least one rule. Counts are resources, summed over the control’s rules; the bar shows passed, failed and suppressed.</p>\n",
    );
    if cov.evidenced().next().is_none() {
        h.push_str("<p class=\"empty\">No rule was loaded.</p></section>\n");
        return;
    }
    h.push_str(
        "<div class=\"table-wrap\"><table><thead><tr><th>Control</th><th class=\"st\">Status</th><th>Rules</th><th class=\"num\">Checked</th><th class=\"num\">Passed</th><th class=\"num\">Failed</th><th class=\"num\">Suppressed</th></tr></thead><tbody>\n",
    );
    for c in cov.evidenced() {
        let (checked, passed, failed, suppressed) = cov.totals(c);
        let rules: Vec<String> = c
            .rules
            .iter()
            .map(|&i| format!("<code class=\"chip\">{}</code>", esc(&cov.rules[i].meta.id)))
            .collect();
        let _ = writeln!(
            h,
            "<tr><td class=\"ctl\"><a href=\"#{}\"><b>{}</b></a> {}<div class=\"bar\" aria-hidden=\"true\"><span class=\"b-pass\" style=\"width:{}%\"></span><span class=\"b-fail\" style=\"width:{}%\"></span><span class=\"b-supp\" style=\"width:{}%\"></span></div></td>\
<td class=\"st\"><span class=\"status {}\">{}</span></td><td>{}</td><td class=\"num\">{checked}</td><td class=\"num\">{passed}</td><td class=\"num\">{failed}</td><td class=\"num\">{suppressed}</td></tr>",
            anchor(&c.control.id),
            esc(&c.control.id),
            esc(&c.control.title),
            pct(passed, checked),
            pct(failed, checked),
            pct(suppressed, checked),
            c.status.slug(),
            c.status.label(),
            rules.join("")
        );
    }
    h.push_str("</tbody></table></div></section>\n");
}

fn evidence(h: &mut String, report: &Report, cov: &Coverage) {
    h.push_str(
        "<section id=\"evidence\"><h2>Evidence by control</h2>\
<p class=\"lede\">For each evidenced control: the rules that check it, what they found, and the source lines of every finding. Suppressed findings are kept here with the reason given for accepting them.</p>\n",
    );
    for c in cov.evidenced() {
        let (checked, passed, failed, suppressed) = cov.totals(c);
        let _ = writeln!(
            h,
            "<article class=\"control {}\" id=\"{}\"><header><span class=\"cid\">{}</span><h3>{}</h3><span class=\"status {}\">{}</span></header>\
<p class=\"facts\">{} control · observable in code: {} · <b>{}</b>: {passed} passed, {failed} failed, {suppressed} suppressed</p>",
            c.status.slug(),
            anchor(&c.control.id),
            esc(&c.control.id),
            esc(&c.control.title),
            c.status.slug(),
            c.status.label(),
            capitalise(&c.control.theme),
            esc(&c.control.observable),
            // A sum over the control's rules: a resource two rules check counts twice, so
            // these are checks, not resources.
            plural(checked, "resource check", "resource checks"),
        );
        let findings = cov.findings(c);
        let open: Vec<&&Finding> = findings
            .iter()
            .filter(|f| f.suppression.is_none())
            .collect();
        let accepted: Vec<&&Finding> = findings
            .iter()
            .filter(|f| f.suppression.is_some())
            .collect();
        if !open.is_empty() {
            let _ = write!(h, "<h4>Findings ({})</h4>", open.len());
            for f in open {
                finding(h, report, f);
            }
        }
        if !accepted.is_empty() {
            let _ = write!(h, "<h4>Suppressed ({})</h4>", accepted.len());
            for f in accepted {
                finding(h, report, f);
            }
        }
        let _ = write!(
            h,
            "<h4>How it was checked ({})</h4>",
            plural(c.rules.len(), "rule", "rules")
        );
        h.push_str(
            "<div class=\"table-wrap\"><table><thead><tr><th>Rule</th><th class=\"st\">Severity</th><th class=\"num\">Checked</th><th class=\"num\">Passed</th><th class=\"num\">Failed</th><th class=\"num\">Suppressed</th></tr></thead><tbody>",
        );
        for &i in &c.rules {
            let r = &cov.rules[i];
            let id = match r.meta.references.first().and_then(|u| safe_url(u)) {
                Some(url) => format!(
                    "<a href=\"{url}\" rel=\"noopener noreferrer\"><code>{}</code></a>",
                    esc(&r.meta.id)
                ),
                None => format!("<code>{}</code>", esc(&r.meta.id)),
            };
            let _ = write!(
                h,
                "<tr{}><td>{id} <span class=\"rule-title\">{}</span><div class=\"rule-desc\">{}</div></td><td class=\"st\"><span class=\"sev sev-{s}\">{s}</span></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                if r.checked == 0 {
                    " class=\"idle\""
                } else {
                    ""
                },
                esc(&r.meta.title),
                esc(&r.meta.description),
                r.checked,
                r.passed,
                r.failed,
                r.suppressed,
                s = r.meta.severity.as_str(),
            );
        }
        h.push_str("</tbody></table></div>\n");
        if c.status == Status::NotEvaluated {
            h.push_str("<p class=\"empty\">No resource in the scan is in scope of these rules, so this control has no evidence either way.</p>");
        }
        h.push_str("</article>\n");
    }
    h.push_str("</section>\n");
}

fn finding(h: &mut String, report: &Report, f: &Finding) {
    let (start, _) = report.region(f.span);
    let _ = write!(
        h,
        "<div class=\"finding{}\"><div class=\"fh\">{}<span class=\"rid\">{}</span><span>{}</span><span class=\"loc\">{}:{}:{}</span></div>\
<p class=\"msg\">{}</p>{}",
        if f.suppression.is_some() {
            " is-suppressed"
        } else {
            ""
        },
        sev_pill(f.severity),
        esc(&f.rule.id),
        esc(&f.rule.title),
        esc(&f.file),
        start.line,
        start.column,
        esc(&f.message),
        if *f.address == *f.file || f.address.is_empty() {
            String::new()
        } else {
            format!("<div class=\"res\">{}</div>", esc(&f.address))
        },
    );
    let lines = snippet(report, f, 8);
    if !lines.is_empty() {
        h.push_str("<pre class=\"src\"><code>");
        for l in lines {
            match l {
                Some((n, text, flagged)) => {
                    let _ = write!(
                        h,
                        "<span class=\"l{}\"><span class=\"ln\">{n}</span>{}</span>",
                        if flagged { " hl" } else { "" },
                        esc(&text)
                    );
                }
                None => h.push_str("<span class=\"gap\">⋮</span>"),
            }
        }
        h.push_str("</code></pre>");
    }
    if let Some(s) = &f.suppression {
        let how = match s.kind {
            SuppressionKind::Inline => "Suppressed inline",
            SuppressionKind::Config => "Suppressed in the configuration",
            SuppressionKind::Baseline => "In the baseline",
            SuppressionKind::Annotation => "annotation",
        };
        let _ = write!(
            h,
            "<p class=\"reason\"><b>{}:</b> {}</p>",
            esc(how),
            esc(&s.reason)
        );
    } else if !f.rule.remediation.is_empty() {
        let _ = write!(
            h,
            "<p class=\"fix\"><b>Fix:</b> {}</p>",
            esc(&f.rule.remediation)
        );
    }
    h.push_str("</div>\n");
}

fn sev_pill(s: Severity) -> String {
    format!("<span class=\"sev sev-{0}\">{0}</span>", s.as_str())
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => esc(&(first.to_uppercase().collect::<String>() + c.as_str())),
        None => String::new(),
    }
}

fn gaps(h: &mut String, cov: &Coverage) {
    h.push_str("<section id=\"gaps\"><h2>Gaps</h2>");
    let no_rule: Vec<&ControlEvidence> = cov
        .controls
        .iter()
        .filter(|c| c.status == Status::NoRule)
        .collect();
    let _ = write!(
        h,
        "<h3 id=\"no-rule\">Observable in code, no rule yet ({})</h3>\
<p class=\"lede\">Infrastructure code could show evidence for these controls, but no loaded rule checks them. Evidence has to come from elsewhere, or from a custom rule pack (<code>--rules DIR</code>).</p>",
        no_rule.len()
    );
    grouped_list(h, &no_rule, true);
    let not_obs: Vec<&ControlEvidence> = cov
        .controls
        .iter()
        .filter(|c| c.status == Status::NotObservable)
        .collect();
    let _ = write!(
        h,
        "<h3 id=\"not-observable\" style=\"margin-top:26px\">Not observable from infrastructure code ({})</h3>\
<p class=\"lede\">Organisational, people and physical controls that code cannot show: they need policies, records, interviews or site visits.</p>",
        not_obs.len()
    );
    grouped_list(h, &not_obs, false);
    h.push_str("</section>\n");
}

fn grouped_list(h: &mut String, controls: &[&ControlEvidence], show_observable: bool) {
    if controls.is_empty() {
        h.push_str("<p class=\"empty\">None.</p>");
        return;
    }
    h.push_str("<div class=\"card cols\">");
    for (num, theme, heading) in THEMES {
        let items: Vec<&&ControlEvidence> = controls
            .iter()
            .filter(|c| c.control.theme == theme)
            .collect();
        if items.is_empty() {
            continue;
        }
        let _ = write!(
            h,
            "<div class=\"group\"><h3>{num} {heading} ({})</h3><ul class=\"plain\">",
            items.len()
        );
        for c in items {
            let _ = write!(
                h,
                "<li><span class=\"id\">{}</span> {}{}</li>",
                esc(&c.control.id),
                esc(&c.control.title),
                if show_observable && c.control.observable == "full" {
                    " <span class=\"status not-evaluated\">fully observable</span>"
                } else {
                    ""
                }
            );
        }
        h.push_str("</ul></div>");
    }
    h.push_str("</div>\n");
}

fn errors(h: &mut String, report: &Report) {
    if report.errors.is_empty() {
        return;
    }
    let _ = write!(
        h,
        "<section id=\"errors\"><h2>Files not analysed ({})</h2>\
<p class=\"lede\">isolint could not read or parse these files, so any finding in them is unknown: treat them as evidence gaps.</p>\
<div class=\"table-wrap error-box\"><table><thead><tr><th>File</th><th>Kind</th><th>Error</th></tr></thead><tbody>",
        report.errors.len()
    );
    for e in &report.errors {
        let p = report.error_position(e);
        let _ = write!(
            h,
            "<tr><td><code>{}:{}:{}</code></td><td>{}</td><td>{}</td></tr>",
            esc(&e.file),
            p.line,
            p.column,
            e.kind.as_str(),
            esc(&e.message)
        );
    }
    h.push_str("</tbody></table></div></section>\n");
}
