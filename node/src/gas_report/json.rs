//! `zkos gas-report --json`.

use serde_json::{json, Value};

use super::model::{Entry, Kind, Report};

/// A bound as a JSON integer (`null` beyond 2^64, with the decimal in `bound_decimal`).
fn integer(v: Option<u128>) -> Value {
    match v.map(u64::try_from) {
        Some(Ok(x)) => json!(x),
        _ => Value::Null,
    }
}

fn entry(e: &Entry) -> Value {
    let mut v = json!({
        "name": e.name,
        "bound": integer(e.bound),
        "formula": e.formula,
        "reason": e.reason,
    });
    let Some(o) = v.as_object_mut() else { return v };
    if let Some(b) = e.bound.filter(|b| u64::try_from(*b).is_err()) {
        o.insert("bound_decimal".into(), json!(b.to_string()));
    }
    if let Some(s) = e.selector {
        o.insert("selector".into(), json!(format!("0x{s:08x}")));
    }
    if let Some(f) = e.function {
        o.insert("function".into(), json!(f));
    }
    if let Some(k) = &e.reason_kind {
        o.insert("reason_kind".into(), json!(k));
    }
    if let Some((f, off)) = e.location {
        o.insert("location".into(), json!({ "function": f, "offset": off }));
    }
    o.insert("forwards_gas".into(), json!(e.forwards_gas));
    let hosts: Vec<Value> =
        e.host_calls.iter().map(|h| json!({ "name": h.name, "sites": h.sites, "worst": h.worst })).collect();
    o.insert("host_calls".into(), Value::Array(hosts));
    if !e.notes.is_empty() {
        o.insert("notes".into(), json!(e.notes));
    }
    if e.impractical() {
        o.insert("unbounded_in_practice".into(), json!(true));
    }
    if e.shared_bound {
        o.insert("bound_of".into(), json!("call"));
    }
    if let Some(m) = &e.measured {
        o.insert(
            "measured".into(),
            json!({ "calls": m.calls, "min_gas_used": m.min, "max_gas_used": m.max, "reverted": m.reverted }),
        );
    }
    v
}

/// The JSON document.
pub fn document(r: &Report) -> Value {
    let mut doc = json!({
        "file": r.file,
        "kind": match r.kind { Kind::Wasm => "wasm", Kind::Evm => "evm" },
        "code_size": r.code_size,
        "analysis_us": u64::try_from(r.time.as_micros()).unwrap_or(u64::MAX),
        "exports": r.entries.iter().map(entry).collect::<Vec<_>>(),
        "functions": r.functions.iter().map(entry).collect::<Vec<_>>(),
    });
    let Some(o) = doc.as_object_mut() else { return doc };
    if !r.selectors.is_empty() {
        o.insert("selectors".into(), r.selectors.iter().map(entry).collect());
    }
    if !r.inputs.is_empty() {
        let inputs: serde_json::Map<String, Value> =
            r.inputs.iter().map(|(k, v)| (k.to_string(), integer(Some(*v)))).collect();
        o.insert("inputs".into(), Value::Object(inputs));
    }
    if let Some(s) = &r.elision {
        o.insert(
            "elision".into(),
            json!({
                "checks_before": s.checks_before,
                "checks_after": s.checks_after,
                "instructions_removed": s.instructions_removed(),
                "functions_elided": s.functions_elided,
                "functions": s.functions,
            }),
        );
    }
    doc
}
