//! `zkos gas-report --html FILE`: one self-contained page (no external scripts or styles)
//! with the table and every function's control-flow graph.

use std::fmt::Write as _;

use super::model::{Entry, Kind, Report, PRACTICAL_LIMIT};
use super::svg::{draw, esc};

const STYLE: &str = "body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top;font-size:13px}th{background:#f0f0f0}td.b{font-family:monospace}.u{color:#c0392b}.ok{color:#2e7d32}.big{color:#b26a00}section{margin:18px 0;padding-top:8px;border-top:1px solid #ddd}.legend span{display:inline-block;margin-right:14px}.sw{display:inline-block;width:12px;height:12px;border:1px solid #777;vertical-align:middle;margin-right:4px}ul{font-size:13px}";

fn bound_cell(e: &Entry) -> String {
    let mut s = match (&e.formula, e.bound, &e.reason) {
        (_, Some(v), _) if e.impractical() => format!(
            "<span class=big title=\"above the {PRACTICAL_LIMIT} block gas limit\">≤ {v}: unbounded in practice</span>"
        ),
        (Some(f), Some(v), _) => format!("<span class=ok>≤ {} = {v}</span>", esc(f)),
        (Some(f), None, _) => format!("<span class=ok>≤ {}</span>", esc(f)),
        (None, Some(v), _) => format!("<span class=ok>≤ {v}</span>"),
        (None, None, Some(r)) => format!("<span class=u>unbounded: {}</span>", esc(r)),
        (None, None, None) => String::from("?"),
    };
    if e.forwards_gas {
        s.push_str(" + forwarded gas");
    }
    s
}

fn hosts_cell(e: &Entry) -> String {
    e.host_calls
        .iter()
        .map(|h| match &h.worst {
            Some(w) => format!("{} ≤ {} ×{}", esc(&h.name), esc(w), h.sites),
            None => format!("{} ×{}", esc(&h.name), h.sites),
        })
        .collect::<Vec<_>>()
        .join("<br>")
}

fn rows(out: &mut String, entries: &[Entry], first: &str) {
    let measured = entries.iter().any(|e| e.measured.is_some());
    let extra = if measured { "<th>measured</th>" } else { "" };
    let _ = write!(out, "<table><tr><th>{first}</th><th>bound</th>{extra}<th>worst host calls</th><th>graph</th></tr>");
    for e in entries {
        let name = match e.selector {
            Some(s) if e.shared_bound => format!("{} <small>0x{s:08x} (bound of call)</small>", esc(&e.name)),
            Some(s) => format!("{} <small>0x{s:08x}</small>", esc(&e.name)),
            None => esc(&e.name),
        };
        let link = e.graph.map_or(String::new(), |g| format!("<a href=\"#g{g}\">graph</a>"));
        let m = match (&e.measured, measured) {
            (Some(m), _) => format!("<td class=b>{}</td>", esc(&super::text::measured_text(m))),
            (None, true) => String::from("<td></td>"),
            (None, false) => String::new(),
        };
        let _ = write!(
            out,
            "<tr><td>{name}</td><td class=b>{}</td>{m}<td class=b>{}</td><td>{link}</td></tr>",
            bound_cell(e),
            hosts_cell(e)
        );
    }
    out.push_str("</table>");
}

/// The page.
pub fn page(r: &Report) -> String {
    let mut out = String::new();
    let kind = match r.kind {
        Kind::Wasm => "WASM",
        Kind::Evm => "EVM",
    };
    let _ = write!(
        out,
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>gas report: {}</title><style>{STYLE}</style></head><body>",
        esc(&r.file)
    );
    let _ = write!(
        out,
        "<h1>Gas report</h1><p><b>{}</b>: {kind}, {} bytes, analyzed in {:.2?}.</p>",
        esc(&r.file),
        r.code_size,
        r.time
    );
    match r.kind {
        Kind::Wasm => out.push_str("<p>Gas in metering weights (one unit ≈ one RV64IM instruction); host functions at their worst case. A bound holds for every call that returns or reverts.</p>"),
        Kind::Evm => out.push_str("<p>Ethereum gas of the call's execution (intrinsic gas not included), worst case of every opcode, memory expansion included.</p>"),
    }
    if !r.inputs.is_empty() {
        let list: Vec<String> = r.inputs.iter().map(|(v, x)| format!("{v}={x}")).collect();
        let _ = write!(out, "<p>Formulas evaluated at {}.</p>", esc(&list.join(", ")));
    }
    rows(&mut out, &r.entries, if r.kind == Kind::Wasm { "export" } else { "selector" });
    if !r.selectors.is_empty() {
        out.push_str("<h2>Functions of the embedded ABI</h2>");
        out.push_str("<p>Bound: of a call whose calldata starts with the function's selector (the <code>call</code> export with the other selectors' branches of the dispatcher left out).");
        if r.selectors.iter().any(|e| e.shared_bound) {
            out.push_str(" Rows marked <code>bound of call</code> carry the whole <code>call</code> export's bound: the analysis could not follow the selector to the dispatcher.");
        }
        out.push_str(" Measured: gas used by the contract's frames in the block, callees included.</p>");
        rows(&mut out, &r.selectors, "function");
    }
    if let Some(s) = &r.elision {
        let _ = write!(
            out,
            "<p>Metering elision: {} of {} gas checks kept, {} instructions removed, in {} of {} functions.</p>",
            s.checks_after,
            s.checks_before,
            s.instructions_removed(),
            s.functions_elided,
            s.functions
        );
    }
    if !r.functions.is_empty() {
        out.push_str("<h2>Functions</h2>");
        rows(&mut out, &r.functions, "function");
    }
    out.push_str("<h2>Control-flow graphs</h2><p class=legend><span><i class=sw style=\"background:#f2f2f2\"></i>block</span><span><i class=sw style=\"background:#d6e6f7\"></i>in a loop</span><span><i class=sw style=\"background:#e3f4e1\"></i>leaves</span><span><i class=sw style=\"background:#f9d6d2;border-color:#c0392b\"></i>where the bound fails</span><span style=\"color:#c0392b\">━ back edge</span></p>");
    for (i, g) in r.graphs.iter().enumerate() {
        let _ = write!(out, "<section id=\"g{i}\"><h3>{}</h3>", esc(&g.title));
        if let Some(e) = r.functions.iter().chain(&r.entries).find(|e| e.graph == Some(i)) {
            let _ = write!(out, "<p class=b>{}</p>", bound_cell(e));
        }
        if let Some(why) = &g.omitted {
            let _ = write!(out, "<p><i>{}</i></p>", esc(why));
        } else {
            out.push_str(&draw(g));
        }
        if !g.loops.is_empty() {
            out.push_str("<ul>");
            for l in &g.loops {
                let class = if l.bounded { "ok" } else { "u" };
                let _ = write!(
                    out,
                    "<li class={class}>loop at block {}: {}</li>",
                    g.nodes.get(l.first).map_or("?", |n| n.label.as_str()),
                    esc(&l.label)
                );
            }
            out.push_str("</ul>");
        }
        out.push_str("</section>");
    }
    out.push_str("</body></html>\n");
    out
}
