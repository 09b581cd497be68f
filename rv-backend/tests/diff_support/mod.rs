//! Differential execution: a wasm-smith module of the deterministic subset runs on wasmi
//! (the reference) and on rv-backend's compiled code; instantiation, every exported
//! function's results or trap, and afterwards the exported memories and globals must agree.
//!
//! Shared by the bounded test (`tests/fuzz_diff.rs`) and the cargo-fuzz target
//! (`fuzz/fuzz_targets/diff.rs`).

use arbitrary::Unstructured;
use rv_backend::abi::TrapCode;
use rv_backend::{ExportKind, ValType};
use wasm_runtime::engine::rv_instance::{Config, Event, Imports, Instance, InstantiateError, Trap};
use wasm_runtime::engine::rv_sandboxed::{SandboxedError, SandboxedInstance};
use wasmi::TrapCode as WTrap;
use wasmi::{Engine, Linker, Module, Store, Val};

/// Fuel per wasmi call, and the machine's instruction budget per call.
const FUEL: u64 = 200_000;
const BUDGET: u64 = 50_000_000;

/// What a batch of cases covered.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    pub cases: usize,
    /// Modules both engines instantiated (or both refused with the same trap).
    pub compared_modules: usize,
    /// Calls whose results or traps were compared.
    pub compared_calls: usize,
    /// Of those, calls that trapped (on both).
    pub trapped_calls: usize,
    /// Modules outside the supported subset (e.g. `externref`).
    pub unsupported: usize,
    /// Modules cut short: out of fuel, or recursion past either engine's depth limit.
    pub cut_short: usize,
    /// wasm-smith gave up on the input.
    pub no_module: usize,
    /// wasmi itself panicked (a wasmi bug; the case cannot be compared).
    pub wasmi_panics: usize,
}

/// Runs wasmi code, turning its panics into `None`.
fn guarded<T>(f: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
}

/// Installs a panic hook that keeps quiet about panics inside wasmi (counted instead).
pub fn quiet_wasmi_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info.location().is_some_and(|l| l.file().contains("wasmi")) {
            return;
        }
        default(info);
    }));
}

/// The wasm-smith configuration of the deterministic subset: integers only (wide arithmetic
/// included), one memory with a maximum, one table, no imports, everything exported. Reference types (table
/// operations, `ref.func`) only when `reference_types`: wasm-smith then also produces
/// `externref`, which the subset excludes, so most such modules are unsupported.
pub fn config(reference_types: bool) -> wasm_smith::Config {
    wasm_smith::Config {
        reference_types_enabled: reference_types,
        allow_floats: false,
        simd_enabled: false,
        relaxed_simd_enabled: false,
        threads_enabled: false,
        tail_call_enabled: false,
        gc_enabled: false,
        exceptions_enabled: false,
        memory64_enabled: false,
        wide_arithmetic_enabled: true,
        extended_const_enabled: false,
        custom_page_sizes_enabled: false,
        saturating_float_to_int_enabled: false,
        max_memories: 1,
        max_tables: 1,
        max_imports: 0,
        export_everything: true,
        memory_max_size_required: true,
        max_memory32_bytes: 4 << 16,
        table_max_size_required: true,
        max_table_elements: 1000,
        min_funcs: 3,
        max_funcs: 20,
        max_instructions: std::env::var("FUZZ_MAX_INSTRUCTIONS").ok().and_then(|s| s.parse().ok()).unwrap_or(200),
        ..wasm_smith::Config::default()
    }
}

/// The coarse class of a trap both engines must agree on.
fn class_of_wasmi(t: WTrap) -> Option<&'static str> {
    Some(match t {
        WTrap::UnreachableCodeReached => "unreachable",
        WTrap::MemoryOutOfBounds => "memory",
        WTrap::TableOutOfBounds => "table",
        WTrap::IndirectCallToNull => "null",
        WTrap::IntegerDivisionByZero => "div0",
        WTrap::IntegerOverflow => "overflow",
        WTrap::BadSignature => "signature",
        _ => return None,
    })
}

fn class_of_rv(t: TrapCode) -> Option<&'static str> {
    Some(match t {
        TrapCode::Unreachable => "unreachable",
        TrapCode::MemoryOutOfBounds => "memory",
        TrapCode::TableOutOfBounds | TrapCode::UndefinedElement => "table",
        TrapCode::UninitializedElement => "null",
        TrapCode::DivisionByZero => "div0",
        TrapCode::IntegerOverflow => "overflow",
        TrapCode::IndirectTypeMismatch => "signature",
        TrapCode::StackExhausted | TrapCode::FloatUnsupported => return None,
    })
}

/// How a call ended on one engine.
#[derive(Debug, PartialEq, Eq)]
enum Ended {
    Values(Vec<u64>),
    Trap(&'static str),
    /// Out of fuel, or the recursion limit: not comparable.
    CutShort,
}

fn wasmi_ended(r: Result<Vec<Val>, wasmi::Error>) -> Result<Ended, String> {
    match r {
        Ok(vals) => Ok(Ended::Values(
            vals.iter()
                .map(|v| match v {
                    Val::I32(x) => u64::from(*x as u32),
                    Val::I64(x) => *x as u64,
                    Val::FuncRef(f) => u64::from(!f.is_null()),
                    _ => u64::MAX,
                })
                .collect(),
        )),
        Err(e) => match e.as_trap_code() {
            Some(WTrap::OutOfFuel | WTrap::StackOverflow) => Ok(Ended::CutShort),
            Some(t) => class_of_wasmi(t).map(Ended::Trap).ok_or_else(|| format!("wasmi trap {t:?}")),
            None => Err(format!("wasmi error: {e}")),
        },
    }
}

/// What the comparison needs of an instance of either compile mode.
trait RvInst<'c>: Sized {
    fn make(c: &'c rv_backend::Compiled, config: Config) -> Result<Self, InstantiateError>;
    fn compiled(&self) -> &rv_backend::Compiled;
    fn call(&mut self, f: u32, args: &[u64]) -> Result<(), InstantiateError>;
    fn run(&mut self, budget: u64) -> Event;
    fn results(&self) -> Vec<u64>;
    fn memory(&self) -> &[u8];
    fn global(&self, g: u32) -> Option<u64>;
    /// Whether nothing outside the instance's regions was written (sandboxed: the canaries).
    fn intact(&self) -> bool;
}

impl<'c> RvInst<'c> for Instance<'c> {
    fn make(c: &'c rv_backend::Compiled, config: Config) -> Result<Self, InstantiateError> {
        Instance::new(c, config, &Imports::default())
    }
    fn compiled(&self) -> &rv_backend::Compiled {
        Instance::compiled(self)
    }
    fn call(&mut self, f: u32, args: &[u64]) -> Result<(), InstantiateError> {
        Instance::call(self, f, args)
    }
    fn run(&mut self, budget: u64) -> Event {
        Instance::run(self, budget)
    }
    fn results(&self) -> Vec<u64> {
        Instance::results(self)
    }
    fn memory(&self) -> &[u8] {
        Instance::memory(self)
    }
    fn global(&self, g: u32) -> Option<u64> {
        Instance::global(self, g)
    }
    fn intact(&self) -> bool {
        true
    }
}

impl<'c> RvInst<'c> for SandboxedInstance<'c> {
    fn make(c: &'c rv_backend::Compiled, config: Config) -> Result<Self, InstantiateError> {
        SandboxedInstance::new(c, config, &Imports::default()).map_err(|e| match e {
            SandboxedError::Instantiate(e) => e,
            SandboxedError::NotSandboxed => panic!("the case compiled in the default mode"),
        })
    }
    fn compiled(&self) -> &rv_backend::Compiled {
        SandboxedInstance::compiled(self)
    }
    fn call(&mut self, f: u32, args: &[u64]) -> Result<(), InstantiateError> {
        SandboxedInstance::call(self, f, args)
    }
    fn run(&mut self, budget: u64) -> Event {
        SandboxedInstance::run(self, budget)
    }
    fn results(&self) -> Vec<u64> {
        SandboxedInstance::results(self)
    }
    fn memory(&self) -> &[u8] {
        SandboxedInstance::memory(self)
    }
    fn global(&self, g: u32) -> Option<u64> {
        SandboxedInstance::global(self, g)
    }
    fn intact(&self) -> bool {
        self.canaries_intact()
    }
}

fn rv_call<'c>(inst: &mut impl RvInst<'c>, f: u32, args: &[u64]) -> Result<Ended, String> {
    inst.call(f, args).map_err(|e| format!("{e}"))?;
    let event = inst.run(BUDGET);
    if !inst.intact() {
        return Err("compiled code wrote around its memory".into());
    }
    match event {
        Event::Returned => {
            let types = inst.compiled().func_type(f).map(|t| t.results.clone()).unwrap_or_default();
            Ok(Ended::Values(
                inst.results()
                    .into_iter()
                    .zip(types)
                    .map(|(v, t)| if t == ValType::FuncRef { u64::from(v != 0) } else { v })
                    .collect(),
            ))
        }
        Event::Trap(Trap::Wasm(TrapCode::StackExhausted)) => Ok(Ended::CutShort),
        Event::Trap(Trap::Wasm(c)) => Ok(Ended::Trap(class_of_rv(c).unwrap_or("?"))),
        other => Err(format!("rv: {other:?}")),
    }
}

/// The module a case's data generates (to reproduce a failure).
pub fn module_bytes(data: &[u8]) -> Option<Vec<u8>> {
    let reference_types = data.first().is_some_and(|b| b % 4 == 0);
    let mut u = Unstructured::new(data.get(1..).unwrap_or_default());
    wasm_smith::Module::new(config(reference_types), &mut u).ok().map(|m| m.to_bytes())
}

/// Runs one case; `Err` describes a disagreement (or an engine failing on a valid module).
pub fn run_case(data: &[u8], stats: &mut Stats) -> Result<(), String> {
    run_case_in(data, stats, false)
}

/// [`run_case`] with the module compiled in the sandboxed mode
/// ([`rv_backend::Options::sandboxed`]) and run on a [`SandboxedInstance`].
#[allow(dead_code)]
pub fn run_case_sandboxed(data: &[u8], stats: &mut Stats) -> Result<(), String> {
    run_case_in(data, stats, true)
}

fn run_case_in(data: &[u8], stats: &mut Stats, sandboxed: bool) -> Result<(), String> {
    stats.cases += 1;
    let reference_types = data.first().is_some_and(|b| b % 4 == 0);
    let mut u = Unstructured::new(data.get(1..).unwrap_or_default());
    let Ok(module) = wasm_smith::Module::new(config(reference_types), &mut u) else {
        stats.no_module += 1;
        return Ok(());
    };
    let wasm = module.to_bytes();
    let options = rv_backend::Options { sandboxed, ..Default::default() };
    let compiled = match rv_backend::compile_with(&wasm, &options) {
        Ok(c) => c,
        Err(e) if e.is_unsupported() => {
            stats.unsupported += 1;
            if std::env::var_os("FUZZ_VERBOSE").is_some() {
                println!("unsupported: {e}");
            }
            return Ok(());
        }
        Err(e) => return Err(format!("rv-backend refused a valid module: {e}")),
    };
    if let Some((i, w)) = compiled.words().enumerate().find(|(_, w)| rv_machine::isa::decode(*w).is_none()) {
        return Err(format!("word {i} ({w:#010x}) of the compiled code is not RV64IM"));
    }
    let mut wconfig = wasmi::Config::default();
    wconfig.consume_fuel(true).wasm_wide_arithmetic(true);
    let engine = Engine::new(&wconfig);
    // As zkos's wasmi engine does (wasmi 2.0.0 mistranslates `select` on a zero test).
    let for_wasmi = wasm_runtime::engine::wasmi_guard::guard_select(&wasm).unwrap_or_else(|| wasm.clone());
    let Some(wmodule) = guarded(|| Module::new(&engine, &for_wasmi)) else {
        stats.wasmi_panics += 1;
        return Ok(());
    };
    let wmodule = wmodule.map_err(|e| format!("wasmi refused the module: {e}"))?;
    let mut store = Store::new(&engine, ());
    store.set_fuel(FUEL).map_err(|e| format!("{e}"))?;
    let linker = Linker::<()>::new(&engine);
    let Some(winst) = guarded(|| linker.instantiate_and_start(&mut store, &wmodule)) else {
        stats.wasmi_panics += 1;
        return Ok(());
    };
    if sandboxed {
        compare::<SandboxedInstance<'_>>(&compiled, store, winst, u, stats)
    } else {
        compare::<Instance<'_>>(&compiled, store, winst, u, stats)
    }
}

fn compare<'c, R: RvInst<'c>>(
    compiled: &'c rv_backend::Compiled,
    mut store: Store<()>,
    winst: Result<wasmi::Instance, wasmi::Error>,
    mut u: Unstructured<'_>,
    stats: &mut Stats,
) -> Result<(), String> {
    let rconfig = Config { max_memory_pages: 1 << 10, max_table_entries: 1 << 16, ..Config::default() };
    let rinst = R::make(compiled, rconfig);
    let (winst, mut rinst) = match (winst, rinst) {
        (Ok(w), Ok(r)) => (w, r),
        (Err(we), Err(re)) => {
            // Both refuse: it must be the same trap (a segment out of bounds).
            let text = format!("{we}");
            let w = we.as_trap_code().and_then(class_of_wasmi).or(if text.contains("out of bounds table") {
                Some("table")
            } else if text.contains("out of bounds memory") {
                Some("memory")
            } else {
                None
            });
            let r = match re {
                InstantiateError::Trap(c) => class_of_rv(c),
                other => return Err(format!("rv instantiation: {other}")),
            };
            if w != r {
                return Err(format!("instantiation traps differ: wasmi {we}, rv {r:?}"));
            }
            stats.compared_modules += 1;
            return Ok(());
        }
        (Err(we), Ok(mut r)) => {
            // wasmi may have failed in the start function.
            let Some(start) = compiled.start else {
                return Err(format!("only wasmi refused instantiation: {we}"));
            };
            let w = wasmi_ended(Err(we))?;
            if w == Ended::CutShort {
                stats.cut_short += 1;
                return Ok(());
            }
            let rr = rv_call(&mut r, start, &[])?;
            if rr == Ended::CutShort {
                stats.cut_short += 1;
                return Ok(());
            }
            if w != rr {
                return Err(format!("start differs: wasmi {w:?}, rv {rr:?}"));
            }
            stats.compared_modules += 1;
            return Ok(());
        }
        (Ok(_), Err(re)) => return Err(format!("only rv refused instantiation: {re}")),
    };
    if let Some(start) = compiled.start {
        match rv_call(&mut rinst, start, &[])? {
            Ended::Values(_) => {}
            Ended::CutShort => {
                stats.cut_short += 1;
                return Ok(());
            }
            t => return Err(format!("start trapped only on rv: {t:?}")),
        }
    }
    stats.compared_modules += 1;
    if std::env::var_os("FUZZ_VERBOSE").is_some() {
        println!("exports: {:?}", compiled.exports.iter().map(|e| (&e.name, e.kind)).collect::<Vec<_>>());
    }
    for export in compiled.exports.clone() {
        if export.kind != ExportKind::Func {
            continue;
        }
        let Some(ty) = compiled.func_type(export.index).cloned() else { continue };
        let Some(wf) = winst.get_func(&store, &export.name) else {
            return Err(format!("wasmi has no export {}", export.name));
        };
        let mut args = Vec::new();
        let mut wargs = Vec::new();
        for t in &ty.params {
            let v: u64 = u.arbitrary().unwrap_or(0);
            match t {
                ValType::I32 => {
                    args.push(u64::from(v as u32));
                    wargs.push(Val::I32(v as u32 as i32));
                }
                ValType::I64 => {
                    args.push(v);
                    wargs.push(Val::I64(v as i64));
                }
                ValType::FuncRef => {
                    args.push(0);
                    wargs.push(Val::FuncRef(wasmi::Nullable::Null));
                }
            }
        }
        let mut wres: Vec<Val> = ty
            .results
            .iter()
            .map(|t| match t {
                ValType::I32 => Val::I32(0),
                ValType::I64 => Val::I64(0),
                ValType::FuncRef => Val::FuncRef(wasmi::Nullable::Null),
            })
            .collect();
        store.set_fuel(FUEL).map_err(|e| format!("{e}"))?;
        let Some(called) = guarded(|| wf.call(&mut store, &wargs, &mut wres)) else {
            stats.wasmi_panics += 1;
            return Ok(());
        };
        let w = wasmi_ended(called.map(|()| wres))?;
        if w == Ended::CutShort {
            stats.cut_short += 1;
            return Ok(());
        }
        let r = rv_call(&mut rinst, export.index, &args)?;
        if r == Ended::CutShort {
            stats.cut_short += 1;
            return Ok(());
        }
        if w != r {
            return Err(format!("{}({args:x?}): wasmi {w:?}, rv {r:?}", export.name));
        }
        stats.compared_calls += 1;
        if matches!(w, Ended::Trap(_)) {
            stats.trapped_calls += 1;
        }
        compare_state(&store, &winst, &rinst, compiled)
            .map_err(|e| format!("after {}({args:x?}): {e}", export.name))?;
    }
    Ok(())
}

fn compare_state<'c>(
    store: &Store<()>,
    w: &wasmi::Instance,
    r: &impl RvInst<'c>,
    c: &rv_backend::Compiled,
) -> Result<(), String> {
    for e in &c.exports {
        match e.kind {
            ExportKind::Memory => {
                let Some(m) = w.get_memory(store, &e.name) else { continue };
                if m.data(store) != r.memory() {
                    return Err(format!(
                        "memory {} differs (wasmi {} bytes, rv {} bytes)",
                        e.name,
                        m.data(store).len(),
                        r.memory().len()
                    ));
                }
            }
            ExportKind::Global => {
                let Some(g) = w.get_global(store, &e.name) else { continue };
                let wv = match g.get(store) {
                    Val::I32(x) => u64::from(x as u32),
                    Val::I64(x) => x as u64,
                    Val::FuncRef(f) => u64::from(!f.is_null()),
                    _ => continue,
                };
                let mut rv = r.global(e.index).unwrap_or(u64::MAX);
                if c.globals.get(e.index as usize).is_some_and(|g| g.ty == ValType::FuncRef) {
                    rv = u64::from(rv != 0);
                }
                if wv != rv {
                    return Err(format!("global {} differs: wasmi {wv:#x}, rv {rv:#x}", e.name));
                }
            }
            _ => {}
        }
    }
    Ok(())
}
