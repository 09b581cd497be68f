//! The spec-test runner: modules compiled by rv-backend, run on the machine.

mod link;
mod values;

use std::cell::RefCell;
use std::collections::HashMap;

use rv_backend::ValType;
use rv_backend::{Compiled, ExportKind};
use wasm_runtime::engine::rv_instance::{Config, Event, Imports, Instance, InstantiateError, Trap};
use wasm_runtime::engine::rv_sandboxed::{SandboxedError, SandboxedInstance};
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastDirective, WastExecute, WastInvoke, WastRet};

pub use link::Foreign;
use values::{arg_value, check_results, Value};

/// Instructions one invocation may run.
const BUDGET: u64 = 2_000_000_000;

/// Pass, fail and skip counts.
#[derive(Clone, Copy, Debug, Default)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Counts {
    pub fn add(&mut self, o: &Counts) {
        self.passed += o.passed;
        self.failed += o.failed;
        self.skipped += o.skipped;
    }
}

/// The number of commands in a file (for files skipped whole).
pub fn count_commands(raw: &str) -> usize {
    let Ok(buf) = ParseBuffer::new(raw) else { return 0 };
    parser::parse::<Wast>(&buf).map(|w| w.directives.len()).unwrap_or(0)
}

/// Why a module did not load: its imports do not link, instantiating it failed, or its
/// start function failed other than by a WebAssembly trap.
pub enum LoadError {
    /// An import the registered modules do not provide, or of another type.
    Unlinkable(String),
    /// Instantiation failed (a segment that does not fit, a limit).
    Instantiate(InstantiateError),
    /// The start function stopped with a machine fault or an error.
    Start(String),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unlinkable(m) => write!(f, "unlinkable: {m}"),
            Self::Instantiate(e) => write!(f, "{e}"),
            Self::Start(m) => write!(f, "start: {m}"),
        }
    }
}

/// An instance of either compile mode.
pub enum Inst {
    Default(Instance<'static>),
    /// Sandboxed mode, mapped at other addresses, with canaries around its memory.
    Sandboxed(SandboxedInstance<'static>),
}

impl Inst {
    fn call(&mut self, f: u32, args: &[u64]) -> Result<(), InstantiateError> {
        match self {
            Inst::Default(i) => i.call(f, args),
            Inst::Sandboxed(i) => i.call(f, args),
        }
    }

    fn run(&mut self, budget: u64) -> Event {
        match self {
            Inst::Default(i) => i.run(budget),
            Inst::Sandboxed(i) => i.run(budget),
        }
    }

    /// Whether the bytes around a sandboxed instance's memory are as they were mapped.
    fn canaries_intact(&self) -> bool {
        match self {
            Inst::Default(_) => true,
            Inst::Sandboxed(i) => i.canaries_intact(),
        }
    }

    fn results(&self) -> Vec<u64> {
        match self {
            Inst::Default(i) => i.results(),
            Inst::Sandboxed(i) => i.results(),
        }
    }

    fn args(&self, n: usize) -> Vec<u64> {
        match self {
            Inst::Default(i) => i.args(n),
            Inst::Sandboxed(i) => i.args(n),
        }
    }

    fn set_results(&mut self, types: &[ValType], values: &[u64]) {
        match self {
            Inst::Default(i) => i.set_results(types, values),
            Inst::Sandboxed(i) => i.set_results(types, values),
        }
    }

    pub fn global(&self, g: u32) -> Option<u64> {
        match self {
            Inst::Default(i) => i.global(g),
            Inst::Sandboxed(i) => i.global(g),
        }
    }

    /// The value of a reference to function `f`.
    fn func_ref(&self, f: u32) -> u64 {
        match self {
            Inst::Default(_) => rv_backend::abi::RODATA_BASE + rv_backend::abi::DESCRIPTOR_SIZE * u64::from(f),
            Inst::Sandboxed(i) => i.func_ref(f),
        }
    }
}

/// A module instance of the script.
pub struct Loaded {
    pub compiled: &'static Compiled,
    pub instance: RefCell<Inst>,
    /// Another module imported its memory, table or a mutable global, which instances
    /// here cannot share: what the script expects of it afterwards is skipped.
    pub tainted: std::cell::Cell<bool>,
    /// What each foreign import calls.
    pub foreign: Vec<Foreign>,
}

/// What a module name refers to.
#[derive(Clone, Copy, Debug)]
pub enum Slot {
    Ok(usize),
    /// Outside the supported subset: its commands are skipped.
    Unsupported,
    /// Failed to compile or instantiate: its commands fail.
    Broken,
}

/// Why a command is not run.
pub enum Skip {
    Unsupported,
}

/// How an invocation ended.
pub enum Outcome {
    Values(Vec<u64>),
    Trap(Trap),
    /// A harness-level problem (budget, re-entrancy, bad export).
    Error(String),
    /// The call reached a module whose state cannot be trusted here (tainted).
    Skip,
}

pub struct Runner {
    name: String,
    verbose: bool,
    /// Compile in the sandboxed mode and run on [`SandboxedInstance`]s.
    sandboxed: bool,
    raw: &'static str,
    pub counts: Counts,
    pub modules: Vec<Loaded>,
    current: Option<Slot>,
    named: HashMap<String, Slot>,
    pub registered: HashMap<String, Slot>,
    definitions: HashMap<String, Vec<u8>>,
}

/// Float code compiles to traps (counted as skipped when reached), so that the integer
/// commands of modules with some float functions still run.
fn compile(wasm: &[u8], sandboxed: bool) -> Result<Compiled, rv_backend::CompileError> {
    rv_backend::compile_with(wasm, &rv_backend::Options { float_bits: true, sandboxed })
}

/// Whether a trap is the float stand-in (the command needed float arithmetic).
fn is_float(o: &Outcome) -> bool {
    matches!(o, Outcome::Trap(Trap::Wasm(rv_backend::abi::TrapCode::FloatUnsupported)))
}

fn config() -> Config {
    Config { max_memory_pages: 1024, max_table_entries: 100_000, ..Config::default() }
}

impl Runner {
    pub fn new(name: &str, verbose: bool, sandboxed: bool) -> Runner {
        Runner {
            name: name.to_string(),
            verbose,
            sandboxed,
            raw: "",
            counts: Counts::default(),
            modules: Vec::new(),
            current: None,
            named: HashMap::new(),
            registered: HashMap::new(),
            definitions: HashMap::new(),
        }
    }

    fn pass(&mut self) {
        self.counts.passed += 1;
    }

    fn skip(&mut self) {
        self.counts.skipped += 1;
    }

    fn fail(&mut self, span: wast::token::Span, why: impl std::fmt::Display) {
        self.counts.failed += 1;
        if self.verbose {
            let (line, col) = span.linecol_in(self.raw);
            println!("FAIL {}:{}:{}: {why}", self.name, line + 1, col + 1);
        }
    }

    pub fn run_file(&mut self, raw: &'static str) {
        self.raw = raw;
        let buf = match ParseBuffer::new(raw) {
            Ok(b) => b,
            Err(e) => return self.fail(wast::token::Span::from_offset(0), format!("lexing: {e}")),
        };
        let wast = match parser::parse::<Wast>(&buf) {
            Ok(w) => w,
            Err(e) => {
                // The text parser refuses the file (names.wast: bidirectional-text
                // characters); nothing of it reaches the compiler.
                println!("skipped {}: wast cannot parse it: {e}", self.name);
                self.skip();
                return;
            }
        };
        for d in wast.directives {
            self.directive(d);
        }
    }

    fn slot(&self, id: Option<wast::token::Id<'_>>) -> Option<Slot> {
        let s = match id {
            Some(id) => self.named.get(id.name()).copied(),
            None => self.current,
        };
        match s {
            Some(Slot::Ok(i)) if self.modules[i].tainted.get() => Some(Slot::Unsupported),
            s => s,
        }
    }

    /// Compiles and instantiates `bytes`.
    fn load(&mut self, bytes: &[u8]) -> Result<Result<usize, LoadError>, rv_backend::CompileError> {
        let compiled: &'static Compiled = Box::leak(Box::new(compile(bytes, self.sandboxed)?));
        assert_rv64im(compiled);
        if self.sandboxed {
            let ecall = rv_backend::encode::ecall();
            assert!(compiled.words().all(|w| w != ecall), "sandboxed code with an ecall");
        }
        let linked = match link::resolve(self, compiled) {
            Ok(l) => l,
            Err(link::LinkError::Unlinkable(m)) => return Ok(Err(LoadError::Unlinkable(m))),
            Err(link::LinkError::Unsupported(m)) => {
                return Err(rv_backend::CompileError::new(rv_backend::CompileErrorKind::Unsupported(m), None))
            }
        };
        let imports = Imports { globals: &linked.globals, memory: linked.memory, table: linked.table };
        let made = if self.sandboxed {
            SandboxedInstance::new(compiled, config(), &imports).map(Inst::Sandboxed).map_err(|e| match e {
                SandboxedError::Instantiate(e) => LoadError::Instantiate(e),
                e @ SandboxedError::NotSandboxed => LoadError::Start(format!("{e}")),
            })
        } else {
            Instance::new(compiled, config(), &imports).map(Inst::Default).map_err(LoadError::Instantiate)
        };
        let instance = match made {
            Ok(i) => i,
            Err(e) => return Ok(Err(e)),
        };
        self.modules.push(Loaded {
            compiled,
            instance: RefCell::new(instance),
            tainted: Default::default(),
            foreign: linked.foreign,
        });
        let idx = self.modules.len() - 1;
        if let Some(start) = compiled.start {
            match self.invoke(idx, start, &[]) {
                Outcome::Values(_) => {}
                Outcome::Trap(Trap::Wasm(rv_backend::abi::TrapCode::FloatUnsupported)) => {
                    return Err(rv_backend::CompileError::new(
                        rv_backend::CompileErrorKind::Unsupported("float code in the start function".into()),
                        None,
                    ))
                }
                Outcome::Trap(Trap::Wasm(c)) => return Ok(Err(LoadError::Instantiate(InstantiateError::Trap(c)))),
                Outcome::Trap(t) => return Ok(Err(LoadError::Start(format!("{t}")))),
                Outcome::Error(e) => return Ok(Err(LoadError::Start(e))),
                Outcome::Skip => {
                    return Err(rv_backend::CompileError::new(
                        rv_backend::CompileErrorKind::Unsupported("start calls a tainted module".into()),
                        None,
                    ))
                }
            }
        }
        Ok(Ok(idx))
    }

    fn module(&mut self, span: wast::token::Span, id: Option<&str>, bytes: Result<Vec<u8>, wast::Error>) {
        let slot = match bytes {
            Err(e) => {
                self.fail(span, format!("module does not encode: {e}"));
                Slot::Broken
            }
            Ok(bytes) => match self.load(&bytes) {
                Ok(Ok(i)) => {
                    self.pass();
                    Slot::Ok(i)
                }
                Ok(Err(e)) => {
                    self.fail(span, format!("instantiation: {e}"));
                    Slot::Broken
                }
                Err(e) if e.is_unsupported() => {
                    self.skip();
                    Slot::Unsupported
                }
                Err(e) => {
                    self.fail(span, format!("compile: {e}"));
                    Slot::Broken
                }
            },
        };
        self.current = Some(slot);
        if let Some(id) = id {
            self.named.insert(id.to_string(), slot);
        }
    }

    fn directive(&mut self, d: WastDirective<'_>) {
        let span = d.span();
        match d {
            WastDirective::Module(mut m) => {
                let id = quote_name(&m);
                self.module(span, id.as_deref(), m.encode());
            }
            WastDirective::ModuleDefinition(mut m) => {
                let id = quote_name(&m);
                match m.encode() {
                    Ok(bytes) => match compile(&bytes, self.sandboxed) {
                        Ok(c) => {
                            assert_rv64im(&c);
                            self.pass();
                            if let Some(id) = id {
                                self.definitions.insert(id, bytes);
                            }
                        }
                        Err(e) if e.is_unsupported() => self.skip(),
                        Err(e) => self.fail(span, format!("compile: {e}")),
                    },
                    Err(e) => self.fail(span, format!("module does not encode: {e}")),
                }
            }
            WastDirective::ModuleInstance { instance, module, .. } => {
                let bytes = module.and_then(|m| self.definitions.get(m.name()).cloned());
                match bytes {
                    Some(b) => self.module(span, instance.map(|i| i.name()), Ok(b)),
                    None => self.skip(),
                }
            }
            WastDirective::Register { name, module, .. } => match self.slot(module) {
                Some(s) => {
                    self.registered.insert(name.to_string(), s);
                    self.pass();
                }
                None => self.fail(span, "register of no module"),
            },
            WastDirective::Invoke(i) => match self.execute_invoke(&i) {
                Err(Skip::Unsupported) => self.skip(),
                Ok(Outcome::Values(_)) => self.pass(),
                Ok(Outcome::Trap(t)) => self.fail(span, format!("invoke trapped: {t}")),
                Ok(Outcome::Error(e)) => self.fail(span, e),
                Ok(Outcome::Skip) => self.skip(),
            },
            WastDirective::AssertReturn { exec, results, .. } => self.assert_return(span, exec, &results),
            WastDirective::AssertTrap { exec, message, .. } => self.assert_trap(span, exec, message),
            WastDirective::AssertExhaustion { call, message, .. } => match self.execute_invoke(&call) {
                Err(Skip::Unsupported) => self.skip(),
                Ok(Outcome::Trap(Trap::Wasm(c))) if c.message() == message || message.starts_with(c.message()) => {
                    self.pass()
                }
                Ok(Outcome::Trap(t)) => self.fail(span, format!("expected {message}, trapped: {t}")),
                Ok(Outcome::Values(v)) => self.fail(span, format!("expected {message}, returned {v:?}")),
                Ok(Outcome::Error(e)) => self.fail(span, e),
                Ok(Outcome::Skip) => self.skip(),
            },
            WastDirective::AssertInvalid { mut module, message, .. } => match module.encode() {
                Err(_) => self.skip(),
                Ok(bytes) => match compile(&bytes, self.sandboxed) {
                    Err(e) if e.is_invalid() => self.pass(),
                    Err(e) if e.is_unsupported() => self.skip(),
                    Err(e) => self.fail(span, format!("expected invalid ({message}), got {e}")),
                    Ok(_) => self.fail(span, format!("expected invalid ({message}), compiled")),
                },
            },
            WastDirective::AssertMalformed { mut module, message, .. } => match module.encode() {
                // Malformed text is the text parser's business, not the compiler's.
                Err(_) => self.skip(),
                Ok(_) if superseded(&self.name, message) => self.skip(),
                Ok(bytes) => match compile(&bytes, self.sandboxed) {
                    Err(e) if e.is_invalid() => self.pass(),
                    Err(e) if e.is_unsupported() => self.skip(),
                    Err(e) => self.fail(span, format!("expected malformed ({message}), got {e}")),
                    Ok(_) => self.fail(span, format!("expected malformed ({message}), compiled")),
                },
            },
            WastDirective::AssertUnlinkable { mut module, message, .. } => match module.encode() {
                Err(e) => self.fail(span, format!("module does not encode: {e}")),
                Ok(bytes) => match self.load(&bytes) {
                    Ok(Err(LoadError::Unlinkable(_))) => self.pass(),
                    Ok(Err(e)) => self.fail(span, format!("expected unlinkable ({message}), got {e}")),
                    Ok(Ok(_)) => self.fail(span, format!("expected unlinkable ({message}), linked")),
                    Err(e) if e.is_unsupported() => self.skip(),
                    Err(e) => self.fail(span, format!("expected unlinkable ({message}), got {e}")),
                },
            },
            _ => self.skip(),
        }
    }

    fn assert_return(&mut self, span: wast::token::Span, exec: WastExecute<'_>, results: &[WastRet<'_>]) {
        let module = match &exec {
            WastExecute::Invoke(i) => self.slot(i.module),
            WastExecute::Get { module, .. } => self.slot(*module),
            WastExecute::Wat(_) => None,
        };
        let outcome = match exec {
            WastExecute::Invoke(i) => self.execute_invoke(&i),
            WastExecute::Get { module, global, .. } => self.get_global(module, global),
            WastExecute::Wat(_) => Err(Skip::Unsupported),
        };
        match outcome {
            Err(Skip::Unsupported) => self.skip(),
            Ok(Outcome::Values(v)) => match check_results(&v, results, |f| match module {
                Some(Slot::Ok(i)) => self.modules[i].instance.borrow().func_ref(f),
                _ => u64::MAX,
            }) {
                Ok(true) => self.pass(),
                Ok(false) => self.fail(span, format!("got {v:?}, expected {results:?}")),
                Err(()) => self.skip(),
            },
            Ok(Outcome::Trap(t)) => self.fail(span, format!("trapped: {t}, expected {results:?}")),
            Ok(Outcome::Error(e)) => self.fail(span, e),
            Ok(Outcome::Skip) => self.skip(),
        }
    }

    fn assert_trap(&mut self, span: wast::token::Span, exec: WastExecute<'_>, message: &str) {
        let matches =
            |c: rv_backend::abi::TrapCode| message.starts_with(c.message()) || c.message().starts_with(message);
        match exec {
            WastExecute::Invoke(i) => match self.execute_invoke(&i) {
                Err(Skip::Unsupported) => self.skip(),
                Ok(Outcome::Trap(Trap::Wasm(c))) if matches(c) => self.pass(),
                Ok(Outcome::Trap(t)) => self.fail(span, format!("expected {message}, trapped: {t}")),
                Ok(Outcome::Values(v)) => self.fail(span, format!("expected {message}, returned {v:?}")),
                Ok(Outcome::Error(e)) => self.fail(span, e),
                Ok(Outcome::Skip) => self.skip(),
            },
            WastExecute::Wat(mut w) => match w.encode() {
                Err(e) => self.fail(span, format!("module does not encode: {e}")),
                Ok(bytes) => match self.load(&bytes) {
                    Ok(Err(LoadError::Instantiate(InstantiateError::Trap(c)))) if matches(c) => self.pass(),
                    Ok(Err(e)) => self.fail(span, format!("expected {message}, got {e}")),
                    Ok(Ok(_)) => self.fail(span, format!("expected {message}, instantiated")),
                    Err(e) if e.is_unsupported() => self.skip(),
                    Err(e) => self.fail(span, format!("expected {message}, got {e}")),
                },
            },
            WastExecute::Get { .. } => self.skip(),
        }
    }

    fn get_global(&mut self, module: Option<wast::token::Id<'_>>, name: &str) -> Result<Outcome, Skip> {
        let idx = match self.slot(module) {
            Some(Slot::Ok(i)) => i,
            Some(Slot::Broken) => return Ok(Outcome::Error("module is broken".into())),
            _ => return Err(Skip::Unsupported),
        };
        let m = &self.modules[idx];
        let Some(e) = m.compiled.export(name).filter(|e| e.kind == ExportKind::Global) else {
            return Ok(Outcome::Error(format!("no global export {name}")));
        };
        let inst = m.instance.borrow();
        Ok(Outcome::Values(inst.global(e.index).into_iter().collect()))
    }

    fn execute_invoke(&mut self, i: &WastInvoke<'_>) -> Result<Outcome, Skip> {
        let idx = match self.slot(i.module) {
            Some(Slot::Ok(i)) => i,
            Some(Slot::Broken) => return Ok(Outcome::Error("module is broken".into())),
            _ => return Err(Skip::Unsupported),
        };
        let mut args = Vec::new();
        for a in &i.args {
            match a {
                wast::WastArg::Core(c) => match arg_value(c) {
                    Some(Value(v)) => args.push(v),
                    None => return Err(Skip::Unsupported),
                },
                _ => return Err(Skip::Unsupported),
            }
        }
        let Some(f) = self.modules[idx].compiled.exported_func(i.name) else {
            return Ok(Outcome::Error(format!("no function export {}", i.name)));
        };
        match self.invoke(idx, f, &args) {
            Outcome::Skip => Err(Skip::Unsupported),
            o if is_float(&o) => Err(Skip::Unsupported),
            o => Ok(o),
        }
    }

    /// Calls function `f` of module `idx`, serving its foreign imports.
    pub fn invoke(&self, idx: usize, f: u32, args: &[u64]) -> Outcome {
        let m = &self.modules[idx];
        let Ok(mut inst) = m.instance.try_borrow_mut() else {
            return Outcome::Error("re-entrant call into an instance".into());
        };
        if let Err(e) = inst.call(f, args) {
            return Outcome::Error(format!("{e}"));
        }
        loop {
            let event = inst.run(BUDGET);
            if !inst.canaries_intact() {
                return Outcome::Error("compiled code wrote around its memory".into());
            }
            match event {
                Event::Returned => return Outcome::Values(inst.results()),
                Event::Trap(t) => return Outcome::Trap(t),
                Event::BudgetExhausted => return Outcome::Error("instruction budget exhausted".into()),
                Event::Host(n) => return Outcome::Error(format!("host call {n} in a spec module")),
                Event::Foreign(k) => {
                    let Some(target) = m.foreign.get(k as usize) else {
                        return Outcome::Error(format!("foreign import {k} unbound"));
                    };
                    let (params, results) = link::foreign_type(m.compiled, k);
                    let a = inst.args(params.len());
                    let values = match *target {
                        Foreign::Print => Vec::new(),
                        Foreign::Remote { module, .. } if self.modules[module].tainted.get() => return Outcome::Skip,
                        Foreign::Remote { module, func } => match self.invoke(module, func, &a) {
                            Outcome::Values(v) => v,
                            other => return other,
                        },
                    };
                    inst.set_results(&results, &values);
                }
            }
        }
    }
}

/// Assertions of proposal-era copies that WebAssembly 2.0 reversed: since reference types,
/// `call_indirect`'s table index is a LEB128, so a long zero there is well-formed.
fn superseded(file: &str, message: &str) -> bool {
    file.starts_with("multi-value/") && message == "zero flag expected"
}

/// Every word of compiled code is an RV64IM instruction.
pub fn assert_rv64im(c: &Compiled) {
    for (i, w) in c.words().enumerate() {
        assert!(rv_machine::isa::decode(w).is_some(), "word {i} ({w:#010x}) is not RV64IM");
    }
}

fn quote_name(m: &QuoteWat<'_>) -> Option<String> {
    m.name().map(|id| id.name().to_string())
}
