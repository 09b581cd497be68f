//! A minimal zkos host on wasmi, for running the example contracts in SDK tests.
//!
//! Not the system layer: no gas, no balances, no metering, no validation. It implements the
//! host functions the examples import with their documented behaviour (storage, calldata,
//! output, revert, logs, context, constants, keccak, nested calls with revert rollback and
//! static-context checks), enough to check that contracts built with the SDK behave as
//! their docs say. Functions it does not implement trap with a message saying so.

#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

use host_abi::functions::{HostFn, ValType};
use sha3::{Digest, Keccak256};
use wasmi::{Caller, Engine, Extern, Linker, Module, Store, Val};

pub type Word = [u8; 32];
pub type Addr = [u8; 20];

#[derive(Clone, Default)]
pub struct Account {
    pub code: Vec<u8>,
    pub constants: Vec<u8>,
    pub storage: HashMap<Word, Word>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Log {
    pub address: Addr,
    pub topics: Vec<Word>,
    pub data: Vec<u8>,
}

#[derive(Clone, Default)]
pub struct World {
    pub accounts: HashMap<Addr, Account>,
    pub logs: Vec<Log>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success(Vec<u8>),
    Revert(Vec<u8>),
    /// Trap or host-detected fault, with the reason.
    Failure(String),
}

/// Ends a frame from inside a host function.
#[derive(Debug)]
enum Exit {
    Finish(Vec<u8>),
    Revert(Vec<u8>),
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

impl wasmi::errors::HostError for Exit {}

struct Frame {
    world: Rc<RefCell<World>>,
    /// Account whose storage and identity the code runs with.
    address: Addr,
    /// Account whose code runs (differs from `address` under delegate_call).
    caller: Addr,
    value: Word,
    calldata: Vec<u8>,
    returndata: Vec<u8>,
    is_static: bool,
    depth: usize,
}

type Ctx<'a> = Caller<'a, Frame>;
type HResult<T> = Result<T, wasmi::Error>;

fn memory(c: &Ctx<'_>) -> HResult<wasmi::Memory> {
    c.get_export("memory").and_then(Extern::into_memory).ok_or_else(|| wasmi::Error::new("no memory export"))
}

fn read(c: &Ctx<'_>, ptr: i32, len: usize) -> HResult<Vec<u8>> {
    let mut buf = vec![0u8; len];
    memory(c)?.read(c, ptr as u32 as usize, &mut buf).map_err(|_| wasmi::Error::new("memory read out of bounds"))?;
    Ok(buf)
}

fn read_n<const N: usize>(c: &Ctx<'_>, ptr: i32) -> HResult<[u8; N]> {
    Ok(read(c, ptr, N)?.try_into().unwrap())
}

fn write(c: &mut Ctx<'_>, ptr: i32, data: &[u8]) -> HResult<()> {
    let mem = memory(c)?;
    mem.write(c, ptr as u32 as usize, data).map_err(|_| wasmi::Error::new("memory write out of bounds"))
}

fn padded(src: &[u8], offset: u32, len: u32) -> Vec<u8> {
    let mut buf = vec![0u8; len as usize];
    let start = (offset as usize).min(src.len());
    let end = (offset as usize).saturating_add(len as usize).min(src.len());
    buf[..end - start].copy_from_slice(&src[start..end]);
    buf
}

fn keccak(data: &[u8]) -> Word {
    Keccak256::digest(data).into()
}

fn left_pad(a: &Addr) -> Word {
    let mut w = [0u8; 32];
    w[12..].copy_from_slice(a);
    w
}

const CALL_DEPTH: usize = 64;

fn nested_call(
    c: &mut Ctx<'_>,
    code_of: Addr,
    address: Addr,
    caller: Addr,
    value: Word,
    input: Vec<u8>,
    is_static: bool,
) -> i32 {
    let (world, depth) = (c.data().world.clone(), c.data().depth);
    let (status, returndata) = if depth >= CALL_DEPTH {
        (3, Vec::new())
    } else {
        match run_frame(&world, code_of, address, caller, value, input, is_static, depth + 1, "call") {
            Outcome::Success(out) => (0, out),
            Outcome::Revert(data) => (1, data),
            Outcome::Failure(_) => (2, Vec::new()),
        }
    };
    c.data_mut().returndata = returndata;
    status
}

fn linker(engine: &Engine) -> Linker<Frame> {
    let mut l = Linker::<Frame>::new(engine);
    let mut defined = Vec::new();
    macro_rules! f {
        ($name:literal, $body:expr) => {
            l.func_wrap("zkos", $name, $body).unwrap();
            defined.push($name);
        };
    }
    f!("calldata_size", |c: Ctx<'_>| -> i32 { c.data().calldata.len() as i32 });
    f!("calldata_copy", |mut c: Ctx<'_>, dest: i32, off: i32, len: i32| -> HResult<()> {
        let data = padded(&c.data().calldata, off as u32, len as u32);
        write(&mut c, dest, &data)
    });
    f!("finish", |c: Ctx<'_>, ptr: i32, len: i32| -> HResult<()> {
        Err(wasmi::Error::host(Exit::Finish(read(&c, ptr, len as u32 as usize)?)))
    });
    f!("revert", |c: Ctx<'_>, ptr: i32, len: i32| -> HResult<()> {
        Err(wasmi::Error::host(Exit::Revert(read(&c, ptr, len as u32 as usize)?)))
    });
    f!("returndata_size", |c: Ctx<'_>| -> i32 { c.data().returndata.len() as i32 });
    f!("returndata_copy", |mut c: Ctx<'_>, dest: i32, off: i32, len: i32| -> HResult<()> {
        let rd = &c.data().returndata;
        let end = (off as u32 as usize).checked_add(len as u32 as usize);
        let Some(slice) = end.and_then(|e| rd.get(off as u32 as usize..e)) else {
            return Err(wasmi::Error::new("returndata_copy past the end"));
        };
        let data = slice.to_vec();
        write(&mut c, dest, &data)
    });
    f!("storage_load", |mut c: Ctx<'_>, key: i32, out: i32| -> HResult<()> {
        let k = read_n::<32>(&c, key)?;
        let v = {
            let w = c.data().world.borrow();
            w.accounts.get(&c.data().address).and_then(|a| a.storage.get(&k).copied()).unwrap_or_default()
        };
        write(&mut c, out, &v)
    });
    f!("storage_store", |c: Ctx<'_>, key: i32, value: i32| -> HResult<()> {
        if c.data().is_static {
            return Err(wasmi::Error::new("storage_store in a static context"));
        }
        let (k, v) = (read_n::<32>(&c, key)?, read_n::<32>(&c, value)?);
        let mut w = c.data().world.borrow_mut();
        w.accounts.entry(c.data().address).or_default().storage.insert(k, v);
        Ok(())
    });
    f!("constants_size", |c: Ctx<'_>| -> i32 {
        let w = c.data().world.borrow();
        w.accounts.get(&c.data().address).map_or(0, |a| a.constants.len() as i32)
    });
    f!("constants_copy", |mut c: Ctx<'_>, dest: i32, off: i32, len: i32| -> HResult<()> {
        let data = {
            let w = c.data().world.borrow();
            let consts = w.accounts.get(&c.data().address).map(|a| a.constants.clone()).unwrap_or_default();
            padded(&consts, off as u32, len as u32)
        };
        write(&mut c, dest, &data)
    });
    f!("emit_log", |c: Ctx<'_>, topics: i32, n: i32, data: i32, len: i32| -> HResult<()> {
        if c.data().is_static {
            return Err(wasmi::Error::new("emit_log in a static context"));
        }
        if !(0..=4).contains(&n) {
            return Err(wasmi::Error::new("emit_log with more than four topics"));
        }
        let raw = read(&c, topics, 32 * n as usize)?;
        let topics = raw.chunks(32).map(|t| t.try_into().unwrap()).collect();
        let data = read(&c, data, len as u32 as usize)?;
        let address = c.data().address;
        c.data().world.borrow_mut().logs.push(Log { address, topics, data });
        Ok(())
    });
    f!("keccak256", |mut c: Ctx<'_>, ptr: i32, len: i32, out: i32| -> HResult<()> {
        let h = keccak(&read(&c, ptr, len as u32 as usize)?);
        write(&mut c, out, &h)
    });
    f!("caller", |mut c: Ctx<'_>, out: i32| -> HResult<()> {
        let a = c.data().caller;
        write(&mut c, out, &a)
    });
    f!("address", |mut c: Ctx<'_>, out: i32| -> HResult<()> {
        let a = c.data().address;
        write(&mut c, out, &a)
    });
    f!("call_value", |mut c: Ctx<'_>, out: i32| -> HResult<()> {
        let v = c.data().value;
        write(&mut c, out, &v)
    });
    f!("gas_left", |_c: Ctx<'_>| -> i64 { 1_000_000_000 });
    f!("call", |mut c: Ctx<'_>, _gas: i64, addr: i32, value: i32, input: i32, len: i32| -> HResult<i32> {
        let (to, v, data) = (read_n::<20>(&c, addr)?, read_n::<32>(&c, value)?, read(&c, input, len as u32 as usize)?);
        if c.data().is_static && v != [0; 32] {
            return Err(wasmi::Error::new("value transfer in a static context"));
        }
        let (me, st) = (c.data().address, c.data().is_static);
        Ok(nested_call(&mut c, to, to, me, v, data, st))
    });
    f!("static_call", |mut c: Ctx<'_>, _gas: i64, addr: i32, input: i32, len: i32| -> HResult<i32> {
        let (to, data) = (read_n::<20>(&c, addr)?, read(&c, input, len as u32 as usize)?);
        let me = c.data().address;
        Ok(nested_call(&mut c, to, to, me, [0; 32], data, true))
    });
    f!("delegate_call", |mut c: Ctx<'_>, _gas: i64, addr: i32, input: i32, len: i32| -> HResult<i32> {
        let (code, data) = (read_n::<20>(&c, addr)?, read(&c, input, len as u32 as usize)?);
        let (me, caller, value, st) = (c.data().address, c.data().caller, c.data().value, c.data().is_static);
        Ok(nested_call(&mut c, code, me, caller, value, data, st))
    });
    // Everything else the examples may import: trap, naming the function.
    for f in HostFn::ALL.iter().filter(|f| f.importable()) {
        if defined.contains(&f.import_name()) {
            continue;
        }
        let ty = wasmi::FuncType::new(
            f.params().iter().map(|p| vt(p.ty)).collect::<Vec<_>>(),
            f.result().map(vt).into_iter().collect::<Vec<_>>(),
        );
        let name = f.import_name();
        l.func_new("zkos", name, ty, move |_c, _args: &[Val], _out: &mut [Val]| {
            Err(wasmi::Error::new(format!("test host: `{name}` not implemented")))
        })
        .unwrap();
    }
    l
}

fn vt(t: ValType) -> wasmi::ValType {
    match t {
        ValType::I32 => wasmi::ValType::I32,
        ValType::I64 => wasmi::ValType::I64,
    }
}

#[allow(clippy::too_many_arguments)]
fn run_frame(
    world: &Rc<RefCell<World>>,
    code_of: Addr,
    address: Addr,
    caller: Addr,
    value: Word,
    calldata: Vec<u8>,
    is_static: bool,
    depth: usize,
    entry: &str,
) -> Outcome {
    let code = world.borrow().accounts.get(&code_of).map(|a| a.code.clone()).unwrap_or_default();
    if code.is_empty() {
        // A call to an account without code succeeds with empty output, as in Ethereum.
        return Outcome::Success(Vec::new());
    }
    let snapshot = world.borrow().clone();
    let engine = Engine::default();
    let module = match Module::new(&engine, &code[..]) {
        Ok(m) => m,
        Err(e) => return Outcome::Failure(format!("module: {e}")),
    };
    let frame =
        Frame { world: world.clone(), address, caller, value, calldata, returndata: Vec::new(), is_static, depth };
    let mut store = Store::new(&engine, frame);
    let outcome = (|| {
        let instance =
            linker(&engine).instantiate_and_start(&mut store, &module).map_err(|e| format!("instantiate: {e}"))?;
        let Some(func) = instance.get_typed_func::<(), ()>(&store, entry).ok() else {
            // No `deploy` export: nothing to run.
            return Ok(Outcome::Success(Vec::new()));
        };
        Ok(match func.call(&mut store, ()) {
            Ok(()) => Outcome::Success(Vec::new()),
            Err(e) => match e.downcast_ref::<Exit>() {
                Some(Exit::Finish(out)) => Outcome::Success(out.clone()),
                Some(Exit::Revert(data)) => Outcome::Revert(data.clone()),
                None => Outcome::Failure(e.to_string()),
            },
        })
    })()
    .unwrap_or_else(Outcome::Failure);
    if !matches!(outcome, Outcome::Success(_)) {
        *world.borrow_mut() = snapshot;
    }
    outcome
}

/// A test world.
pub struct Host {
    pub world: Rc<RefCell<World>>,
}

impl Host {
    pub fn new() -> Self {
        Host { world: Rc::new(RefCell::new(World::default())) }
    }

    /// Installs `code` with `constants` at `address` and runs its `deploy` export (if any)
    /// with `args` as calldata, from `deployer`. On failure the account is removed again.
    pub fn deploy(&self, deployer: Addr, address: Addr, code: &[u8], constants: &[u8], args: &[u8]) -> Outcome {
        self.deploy_with_value(deployer, address, code, constants, args, [0; 32])
    }

    pub fn deploy_with_value(
        &self,
        deployer: Addr,
        address: Addr,
        code: &[u8],
        constants: &[u8],
        args: &[u8],
        value: Word,
    ) -> Outcome {
        let account = Account { code: code.to_vec(), constants: constants.to_vec(), storage: HashMap::new() };
        let before = self.world.borrow().clone();
        self.world.borrow_mut().accounts.insert(address, account);
        let out = run_frame(&self.world, address, address, deployer, value, args.to_vec(), false, 0, "deploy");
        if !matches!(out, Outcome::Success(_)) {
            *self.world.borrow_mut() = before;
        }
        out
    }

    pub fn call(&self, from: Addr, to: Addr, input: &[u8]) -> Outcome {
        self.call_with_value(from, to, input, [0; 32])
    }

    pub fn call_with_value(&self, from: Addr, to: Addr, input: &[u8], value: Word) -> Outcome {
        run_frame(&self.world, to, to, from, value, input.to_vec(), false, 0, "call")
    }

    pub fn storage(&self, address: Addr, key: &Word) -> Word {
        let w = self.world.borrow();
        w.accounts.get(&address).and_then(|a| a.storage.get(key).copied()).unwrap_or_default()
    }

    pub fn take_logs(&self) -> Vec<Log> {
        std::mem::take(&mut self.world.borrow_mut().logs)
    }
}

pub fn addr(n: u8) -> Addr {
    let mut a = [0u8; 20];
    a[19] = n;
    a[0] = 0xaa;
    a
}

pub fn word_of(a: &Addr) -> Word {
    left_pad(a)
}

pub fn keccak256(data: &[u8]) -> Word {
    keccak(data)
}
