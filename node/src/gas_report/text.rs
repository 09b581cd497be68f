//! The table `zkos gas-report` prints by default.

use std::fmt::Write as _;

use super::model::{Entry, Kind, Measured, Report, PRACTICAL_LIMIT};

fn bound_text(e: &Entry) -> String {
    let mut s = match (&e.formula, e.bound, &e.reason) {
        (_, Some(v), _) if e.impractical() => {
            format!("≤ {v}: unbounded in practice (above the {PRACTICAL_LIMIT} block gas limit)")
        }
        (Some(f), Some(v), _) => format!("≤ {f} = {v}"),
        (Some(f), None, _) => format!("≤ {f}"),
        (None, Some(v), _) => format!("≤ {v}"),
        (None, None, Some(r)) => format!("unbounded: {r}"),
        (None, None, None) => String::from("?"),
    };
    if e.forwards_gas {
        s.push_str(" + forwarded gas");
    }
    s
}

fn hosts_text(e: &Entry, limit: usize) -> String {
    let mut v: Vec<String> = e
        .host_calls
        .iter()
        .filter(|h| h.worst.as_deref() != Some("0"))
        .map(|h| match &h.worst {
            Some(w) if h.sites > 1 => format!("{} ≤ {w} ×{}", h.name, h.sites),
            Some(w) => format!("{} ≤ {w}", h.name),
            None => format!("{} ×{}", h.name, h.sites),
        })
        .collect();
    if v.len() > limit {
        let more = v.len() - limit;
        v.truncate(limit);
        v.push(format!("+{more} more"));
    }
    v.join(", ")
}

/// `n calls, min..max gas (k reverted)`.
pub(super) fn measured_text(m: &Measured) -> String {
    let calls = if m.calls == 1 { String::from("1 call") } else { format!("{} calls", m.calls) };
    let gas = if m.min == m.max { format!("{} gas", m.min) } else { format!("{}..{} gas", m.min, m.max) };
    let reverted = if m.reverted > 0 { format!(" ({} reverted or failed)", m.reverted) } else { String::new() };
    format!("{calls}, {gas}{reverted}")
}

fn selectors_table(out: &mut String, r: &Report) {
    if r.selectors.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "
functions of the embedded ABI (zkos:abi), by selector:"
    );
    let _ = writeln!(out, "  (bound: of a call whose calldata starts with the selector; * the call export's: the analysis could not follow the selector to the dispatcher)");
    if r.selectors.iter().any(|e| e.measured.is_some()) {
        let _ = writeln!(out, "  (measured: gas used by the contract's frames in the block, callees included)");
    }
    let width = r.selectors.iter().map(|e| e.name.len()).max().unwrap_or(0);
    for e in &r.selectors {
        let sel = e.selector.map_or(String::new(), |s| format!("{s:08x}"));
        let bound = if e.bound.is_some() || e.reason.is_some() { bound_text(e) } else { String::from("-") };
        let star = if e.shared_bound { "*" } else { " " };
        let _ = write!(out, "  {sel}{star} {:<width$}  {bound}", e.name);
        if let Some(m) = &e.measured {
            let _ = write!(out, "  | measured: {}", measured_text(m));
        }
        out.push('\n');
    }
}

/// The text report.
pub fn table(r: &Report) -> String {
    let mut out = String::new();
    let bounded = |es: &[Entry]| es.iter().filter(|e| e.reason.is_none()).count();
    match r.kind {
        Kind::Wasm => {
            let _ = writeln!(
                out,
                "{}: WASM, {} bytes, {} functions ({} bounded), analyzed in {:.2?}",
                r.file,
                r.code_size,
                r.functions.len(),
                bounded(&r.functions),
                r.time
            );
            let _ = writeln!(
                out,
                "gas: the metering weights (one unit ≈ one RV64IM instruction), host functions at their worst case\n"
            );
        }
        Kind::Evm => {
            let _ = writeln!(
                out,
                "{}: EVM, {} bytes, {} selectors ({} bounded), analyzed in {:.2?}",
                r.file,
                r.code_size,
                r.entries.len().saturating_sub(1),
                bounded(&r.entries[..r.entries.len().saturating_sub(1)]),
                r.time
            );
            let _ = writeln!(out, "gas: Ethereum's schedule for the call's execution (intrinsic gas not included), worst case of every opcode\n");
        }
    }
    if !r.inputs.is_empty() {
        let list: Vec<String> = r.inputs.iter().map(|(v, x)| format!("{v}={x}")).collect();
        let _ = writeln!(out, "inputs: {}\n", list.join(", "));
    }
    let head = match r.kind {
        Kind::Wasm => "export",
        Kind::Evm => "selector",
    };
    let width = r
        .entries
        .iter()
        .map(|e| e.name.len() + if e.selector.is_some() { 12 } else { 0 })
        .max()
        .unwrap_or(6)
        .max(head.len());
    let _ = writeln!(out, "{head:<width$}  bound");
    for e in &r.entries {
        let name = match e.selector {
            Some(s) if !e.name.starts_with("0x") => format!("{:08x}  {}", s, e.name),
            _ => e.name.clone(),
        };
        let _ = writeln!(out, "{name:<width$}  {}", bound_text(e));
        let hosts = hosts_text(e, 6);
        if !hosts.is_empty() {
            let _ = writeln!(out, "{:<width$}    worst: {hosts}", "");
        }
    }
    selectors_table(&mut out, r);
    if r.kind == Kind::Wasm {
        let _ = writeln!(out, "\nfunctions:");
        for f in &r.functions {
            let width = r.functions.iter().map(|f| f.name.len()).max().unwrap_or(6).min(60);
            let _ = writeln!(out, "  {:<width$} {}", f.name, bound_text(f));
        }
        if let Some(s) = &r.elision {
            let _ = writeln!(
                out,
                "\nmetering elision: {} of {} gas checks kept ({} instructions removed), in {} of {} functions",
                s.checks_after,
                s.checks_before,
                s.instructions_removed(),
                s.functions_elided,
                s.functions
            );
        }
    }
    let notes: Vec<&String> = r.entries.iter().flat_map(|e| e.notes.iter()).collect();
    if !notes.is_empty() && r.kind == Kind::Wasm {
        let _ = writeln!(out, "\nnotes:");
        let mut seen = Vec::new();
        for n in notes {
            if !seen.contains(&n) {
                let _ = writeln!(out, "  {n}");
                seen.push(n);
            }
        }
    }
    out
}
