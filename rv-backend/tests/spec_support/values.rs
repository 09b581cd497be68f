//! Script values to and from machine values.

use wast::core::{AbstractHeapType, HeapType, WastArgCore, WastRetCore};
use wast::token::Index;
use wast::WastRet;

/// A machine value (an `i32` zero-extended).
pub struct Value(pub u64);

fn is_func(h: &HeapType<'_>) -> bool {
    matches!(h, HeapType::Abstract { ty: AbstractHeapType::Func, .. })
}

/// The value of an argument, or `None` outside the subset.
pub fn arg_value(a: &WastArgCore<'_>) -> Option<Value> {
    match a {
        WastArgCore::I32(v) => Some(Value(u64::from(*v as u32))),
        WastArgCore::I64(v) => Some(Value(*v as u64)),
        WastArgCore::RefNull(h) if is_func(h) => Some(Value(0)),
        _ => None,
    }
}

/// Whether `got` matches `want`; `Err` if some expected value is outside the subset.
/// `func_ref(n)` is the value of a reference to function `n` of the invoked module.
pub fn check_results(got: &[u64], want: &[WastRet<'_>], func_ref: impl Fn(u32) -> u64) -> Result<bool, ()> {
    let mut ok = got.len() == want.len();
    for (i, w) in want.iter().enumerate() {
        let WastRet::Core(w) = w else { return Err(()) };
        let g = got.get(i).copied();
        let m = match w {
            WastRetCore::I32(v) => g == Some(u64::from(*v as u32)),
            WastRetCore::I64(v) => g == Some(*v as u64),
            WastRetCore::RefNull(None) => g == Some(0),
            WastRetCore::RefNull(Some(h)) if is_func(h) => g == Some(0),
            WastRetCore::RefFunc(None) => g.is_some_and(|v| v != 0),
            WastRetCore::RefFunc(Some(Index::Num(n, _))) => g == Some(func_ref(*n)),
            _ => return Err(()),
        };
        ok &= m;
    }
    Ok(ok)
}
