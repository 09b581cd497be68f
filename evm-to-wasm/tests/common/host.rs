//! The mock zkos host for wasmi: storage in a map (EIP-2200/2929/3529 gas and refunds),
//! transient storage, calldata, code, logs, programmable calls and creates, finish/revert
//! capture and the gas global. Host functions charge what host-abi's `charge` computes from
//! the table; the mock's accounts are warm and alive for calls and cold for reads
//! (`balance`, `ext_code_*`), its storage slots cold on first access.

use super::{count, Word};
use host_abi::charge::{self, Facts, Slot};
use host_abi::functions::HostFn;
use std::collections::{HashMap, HashSet};
use std::fmt;
use wasmi::{Caller, Engine, Extern, Linker, Module, Store, Val};

/// How a frame ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Return(Vec<u8>),
    Revert(Vec<u8>),
    SelfDestruct([u8; 20]),
    /// Exceptional halt with the gas global negative.
    OutOfGas,
    /// Exceptional halt (trap) with gas left; `String` is the trap.
    Trap(String),
    /// The module returned from `call` without finishing (a transpiler bug).
    FellOff,
}

/// A call the code made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallRecord {
    pub kind: &'static str,
    pub requested_gas: u64,
    pub forwarded_gas: u64,
    pub gas_before: i64,
    pub addr: [u8; 20],
    pub value: Word,
    pub input: Vec<u8>,
}

/// Host error that ends `call` (finish, revert, self-destruct, host-side failures).
#[derive(Debug)]
pub struct Halt(pub &'static str);
impl fmt::Display for Halt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}
impl wasmi::errors::HostError for Halt {}

/// The mock host's state.
#[derive(Default, Clone, Debug)]
pub struct Host {
    pub calldata: Vec<u8>,
    pub code: Vec<u8>,
    pub storage: HashMap<Word, Word>,
    pub original: HashMap<Word, Word>,
    pub warm: HashSet<Word>,
    pub transient: HashMap<Word, Word>,
    pub refund: i64,
    pub logs: Vec<(Vec<Word>, Vec<u8>)>,
    pub returndata: Vec<u8>,
    pub outcome: Option<Outcome>,
    pub calls: Vec<CallRecord>,
    /// What calls return: status and return data.
    pub call_result: (i32, Vec<u8>),
    /// Gas the callee uses (of what it is given).
    pub callee_gas_used: u64,
    pub creates: Vec<(Word, Vec<u8>, Option<Word>)>,
    pub create_result: (i32, [u8; 20]),
    pub address: [u8; 20],
    pub caller: [u8; 20],
    pub callvalue: Word,
    pub number: u64,
    pub chain_id: u64,
    pub gas_left_seen: Vec<i64>,
    pub is_static: bool,
}

fn word_u64(x: u64) -> Word {
    let mut w = [0u8; 32];
    w[24..].copy_from_slice(&x.to_be_bytes());
    w
}

type C<'a> = Caller<'a, Host>;

fn memory(c: &C<'_>) -> wasmi::Memory {
    c.get_export("memory").and_then(Extern::into_memory).expect("memory export")
}
fn read(c: &C<'_>, ptr: i32, len: i32) -> Result<Vec<u8>, wasmi::Error> {
    let mut buf = vec![0u8; len as u32 as usize];
    memory(c).read(c, ptr as u32 as usize, &mut buf).map_err(|_| wasmi::Error::host(Halt("bad memory range")))?;
    Ok(buf)
}
fn write(c: &mut C<'_>, ptr: i32, data: &[u8]) -> Result<(), wasmi::Error> {
    let m = memory(c);
    m.write(c, ptr as u32 as usize, data).map_err(|_| wasmi::Error::host(Halt("bad memory range")))
}
fn gas_global(c: &C<'_>) -> wasmi::Global {
    c.get_export(host_abi::GAS_GLOBAL_EXPORT).and_then(Extern::into_global).expect("gas global")
}
pub fn gas_of(c: &C<'_>) -> i64 {
    gas_global(c).get(c).i64().unwrap()
}
fn set_gas(c: &mut C<'_>, g: i64) {
    let glob = gas_global(c);
    glob.set(c, Val::I64(g)).unwrap();
}
/// Charges gas; out of gas ends the call.
fn charge(c: &mut C<'_>, amount: u64) -> Result<(), wasmi::Error> {
    let g = gas_of(c);
    if (g as i128) < amount as i128 {
        set_gas(c, -1);
        c.data_mut().outcome = Some(Outcome::OutOfGas);
        return Err(wasmi::Error::host(Halt("out of gas")));
    }
    set_gas(c, g - amount as i64);
    Ok(())
}
/// Charges what host-abi says a call of `f` with arguments `args` costs given `facts`.
fn charge_host(c: &mut C<'_>, f: HostFn, args: &[u64], facts: Facts) -> Result<charge::Charge, wasmi::Error> {
    let ch = charge::charge(f, args, &facts);
    charge(c, ch.gas)?;
    Ok(ch)
}
/// An `i32` argument as engines pass it (zero-extended).
fn arg(x: i32) -> u64 {
    u64::from(x as u32)
}
/// The mock's reads of other accounts (`balance`, `ext_code_*`) are cold.
const COLD: Facts = Facts { cold: true, ..Facts::WARM };
fn end(c: &mut C<'_>, o: Outcome) -> Result<(), wasmi::Error> {
    c.data_mut().outcome = Some(o);
    Err(wasmi::Error::host(Halt("end")))
}
fn copy_padded(src: &[u8], off: i32, len: i32) -> Vec<u8> {
    let (off, len) = (off as u32 as usize, len as u32 as usize);
    (0..len).map(|k| off.checked_add(k).and_then(|i| src.get(i)).copied().unwrap_or(0)).collect()
}
fn key(c: &C<'_>, ptr: i32) -> Result<Word, wasmi::Error> {
    Ok(read(c, ptr, 32)?.try_into().unwrap())
}

/// The linker with every host function the tests use.
pub fn linker(engine: &Engine) -> Linker<Host> {
    let mut l = Linker::<Host>::new(engine);
    let m = host_abi::IMPORT_MODULE;
    l.func_wrap(m, "finish", |mut c: C<'_>, p: i32, n: i32| {
        let d = read(&c, p, n)?;
        end(&mut c, Outcome::Return(d))
    })
    .unwrap();
    l.func_wrap(m, "revert", |mut c: C<'_>, p: i32, n: i32| {
        let d = read(&c, p, n)?;
        end(&mut c, Outcome::Revert(d))
    })
    .unwrap();
    l.func_wrap(m, "self_destruct", |mut c: C<'_>, p: i32| {
        // The beneficiary is warm, and the mock moves no balance.
        charge_host(&mut c, HostFn::SelfDestruct, &[arg(p)], Facts::WARM)?;
        let a = read(&c, p, 20)?.try_into().unwrap();
        end(&mut c, Outcome::SelfDestruct(a))
    })
    .unwrap();
    l.func_wrap(m, "calldata_size", |mut c: C<'_>| -> Result<i32, wasmi::Error> {
        charge_host(&mut c, HostFn::CalldataSize, &[], Facts::WARM)?;
        Ok(c.data().calldata.len() as i32)
    })
    .unwrap();
    l.func_wrap(m, "calldata_copy", |mut c: C<'_>, dest: i32, off: i32, len: i32| {
        charge_host(&mut c, HostFn::CalldataCopy, &[arg(dest), arg(off), arg(len)], Facts::WARM)?;
        let d = copy_padded(&c.data().calldata, off, len);
        write(&mut c, dest, &d)
    })
    .unwrap();
    l.func_wrap(m, "code_size", |mut c: C<'_>| -> Result<i32, wasmi::Error> {
        charge_host(&mut c, HostFn::CodeSize, &[], Facts::WARM)?;
        Ok(c.data().code.len() as i32)
    })
    .unwrap();
    l.func_wrap(m, "code_copy", |mut c: C<'_>, dest: i32, off: i32, len: i32| {
        charge_host(&mut c, HostFn::CodeCopy, &[arg(dest), arg(off), arg(len)], Facts::WARM)?;
        let d = copy_padded(&c.data().code, off, len);
        write(&mut c, dest, &d)
    })
    .unwrap();
    l.func_wrap(m, "returndata_size", |mut c: C<'_>| -> Result<i32, wasmi::Error> {
        charge_host(&mut c, HostFn::ReturndataSize, &[], Facts::WARM)?;
        Ok(c.data().returndata.len() as i32)
    })
    .unwrap();
    l.func_wrap(m, "returndata_copy", |mut c: C<'_>, dest: i32, off: i32, len: i32| {
        charge_host(&mut c, HostFn::ReturndataCopy, &[arg(dest), arg(off), arg(len)], Facts::WARM)?;
        let rd = &c.data().returndata;
        let end_ = off as u32 as u64 + len as u32 as u64;
        if end_ > rd.len() as u64 {
            return Err(wasmi::Error::host(Halt("returndata out of bounds")));
        }
        let d = rd[off as u32 as usize..end_ as usize].to_vec();
        write(&mut c, dest, &d)
    })
    .unwrap();
    l.func_wrap(m, "storage_load", |mut c: C<'_>, kp: i32, out: i32| {
        let k = key(&c, kp)?;
        let cold = c.data_mut().warm.insert(k);
        charge_host(&mut c, HostFn::StorageLoad, &[arg(kp), arg(out)], Facts { cold, ..Facts::WARM })?;
        let v = c.data().storage.get(&k).copied().unwrap_or([0; 32]);
        write(&mut c, out, &v)
    })
    .unwrap();
    l.func_wrap(m, "storage_store", |mut c: C<'_>, kp: i32, vp: i32| {
        let (k, v) = (key(&c, kp)?, key(&c, vp)?);
        let g = gas_of(&c);
        c.data_mut().gas_left_seen.push(g);
        let guard = charge::worst(HostFn::StorageStore).guard.unwrap_or(0);
        if c.data().is_static || g <= guard as i64 {
            return Err(wasmi::Error::host(Halt("sstore: static or stipend")));
        }
        let cold = c.data_mut().warm.insert(k);
        let current = c.data().storage.get(&k).copied().unwrap_or([0; 32]);
        let original = *c.data_mut().original.entry(k).or_insert(current);
        let facts = Facts { cold, slot: Slot::of(&original, &current, &v, &[0; 32]), ..Facts::WARM };
        let ch = charge::charge(HostFn::StorageStore, &[arg(kp), arg(vp)], &facts);
        c.data_mut().refund += ch.refund;
        charge(&mut c, ch.gas)?;
        c.data_mut().storage.insert(k, v);
        Ok(())
    })
    .unwrap();
    l.func_wrap(m, "transient_load", |mut c: C<'_>, k: i32, out: i32| {
        charge_host(&mut c, HostFn::TransientLoad, &[arg(k), arg(out)], Facts::WARM)?;
        let k = key(&c, k)?;
        let v = c.data().transient.get(&k).copied().unwrap_or([0; 32]);
        write(&mut c, out, &v)
    })
    .unwrap();
    l.func_wrap(m, "transient_store", |mut c: C<'_>, k: i32, v: i32| {
        charge_host(&mut c, HostFn::TransientStore, &[arg(k), arg(v)], Facts::WARM)?;
        let (k, v) = (key(&c, k)?, key(&c, v)?);
        c.data_mut().transient.insert(k, v);
        Ok(())
    })
    .unwrap();
    l.func_wrap(m, "keccak256", |mut c: C<'_>, p: i32, n: i32, out: i32| {
        charge_host(&mut c, HostFn::Keccak256, &[arg(p), arg(n), arg(out)], Facts::WARM)?;
        use sha3::Digest;
        let d = read(&c, p, n)?;
        let h: [u8; 32] = sha3::Keccak256::digest(&d).into();
        write(&mut c, out, &h)
    })
    .unwrap();
    l.func_wrap(m, "emit_log", |mut c: C<'_>, t: i32, n: i32, p: i32, len: i32| {
        charge_host(&mut c, HostFn::EmitLog, &[arg(t), arg(n), arg(p), arg(len)], Facts::WARM)?;
        let topics = (0..n).map(|i| key(&c, t + 32 * i)).collect::<Result<Vec<_>, _>>()?;
        let d = read(&c, p, len)?;
        c.data_mut().logs.push((topics, d));
        Ok(())
    })
    .unwrap();
    for name in ["address", "caller", "origin", "coinbase"] {
        let f = HostFn::from_import_name(name).expect("a host function");
        l.func_wrap(m, name, move |mut c: C<'_>, out: i32| {
            charge_host(&mut c, f, &[arg(out)], Facts::WARM)?;
            let a = match name {
                "address" => c.data().address,
                "caller" => c.data().caller,
                "origin" => [0x0a; 20],
                _ => [0xcb; 20],
            };
            write(&mut c, out, &a)
        })
        .unwrap();
    }
    for name in ["call_value", "gas_price", "base_fee", "prev_randao", "blob_base_fee", "self_balance"] {
        let f = HostFn::from_import_name(name).expect("a host function");
        l.func_wrap(m, name, move |mut c: C<'_>, out: i32| {
            charge_host(&mut c, f, &[arg(out)], Facts::WARM)?;
            let w = match name {
                "call_value" => c.data().callvalue,
                "gas_price" => word_u64(7),
                "base_fee" => word_u64(11),
                "prev_randao" => [0x5a; 32],
                "blob_base_fee" => word_u64(13),
                _ => word_u64(1_000_000),
            };
            write(&mut c, out, &w)
        })
        .unwrap();
    }
    for name in ["block_number", "block_timestamp", "block_gas_limit", "chain_id"] {
        let f = HostFn::from_import_name(name).expect("a host function");
        l.func_wrap(m, name, move |mut c: C<'_>| -> Result<i64, wasmi::Error> {
            charge_host(&mut c, f, &[], Facts::WARM)?;
            Ok(match name {
                "block_number" => c.data().number as i64,
                "block_timestamp" => 1_700_000_000,
                "block_gas_limit" => 30_000_000,
                _ => c.data().chain_id as i64,
            })
        })
        .unwrap();
    }
    l.func_wrap(m, "gas_left", |mut c: C<'_>| -> Result<i64, wasmi::Error> {
        charge_host(&mut c, HostFn::GasLeft, &[], Facts::WARM)?;
        Ok(gas_of(&c))
    })
    .unwrap();
    l.func_wrap(m, "block_hash", |mut c: C<'_>, n: i64, out: i32| {
        charge_host(&mut c, HostFn::BlockHash, &[n as u64, arg(out)], Facts::WARM)?;
        let cur = c.data().number;
        let w = if (n as u64) < cur && cur - (n as u64) <= 256 { [n as u8; 32] } else { [0; 32] };
        write(&mut c, out, &w)
    })
    .unwrap();
    l.func_wrap(m, "blob_hash", |mut c: C<'_>, i: i64, out: i32| {
        charge_host(&mut c, HostFn::BlobHash, &[i as u64, arg(out)], Facts::WARM)?;
        let w = if (i as u64) < 2 { [0x01 + i as u8; 32] } else { [0; 32] };
        write(&mut c, out, &w)
    })
    .unwrap();
    for name in ["balance", "ext_code_hash"] {
        let f = HostFn::from_import_name(name).expect("a host function");
        l.func_wrap(m, name, move |mut c: C<'_>, a: i32, out: i32| {
            charge_host(&mut c, f, &[arg(a), arg(out)], COLD)?;
            let addr = read(&c, a, 20)?;
            let mut w = [0u8; 32];
            w[12..].copy_from_slice(&addr);
            if name == "balance" {
                w[0] = 0xba;
            }
            write(&mut c, out, &w)
        })
        .unwrap();
    }
    l.func_wrap(m, "ext_code_size", |mut c: C<'_>, a: i32| -> Result<i32, wasmi::Error> {
        charge_host(&mut c, HostFn::ExtCodeSize, &[arg(a)], COLD)?;
        let addr = read(&c, a, 20)?;
        Ok(i32::from(addr[19]) * 10)
    })
    .unwrap();
    l.func_wrap(m, "ext_code_copy", |mut c: C<'_>, a: i32, dest: i32, off: i32, len: i32| {
        charge_host(&mut c, HostFn::ExtCodeCopy, &[arg(a), arg(dest), arg(off), arg(len)], COLD)?;
        let addr = read(&c, a, 20)?;
        let code: Vec<u8> = (0..100u8).map(|i| i ^ addr[19]).collect();
        let d = copy_padded(&code, off, len);
        write(&mut c, dest, &d)
    })
    .unwrap();
    fn do_call(
        c: &mut C<'_>,
        f: HostFn,
        gas: i64,
        a: i32,
        value_ptr: Option<i32>,
        input_ptr: i32,
        len: i32,
    ) -> Result<i32, wasmi::Error> {
        let addr: [u8; 20] = read(c, a, 20)?.try_into().unwrap();
        let value = match value_ptr {
            Some(v) => key(c, v)?,
            None => [0; 32],
        };
        let input = read(c, input_ptr, len)?;
        let gas_before = gas_of(c);
        let args = match value_ptr {
            Some(v) => vec![gas as u64, arg(a), arg(v), arg(input_ptr), arg(len)],
            None => vec![gas as u64, arg(a), arg(input_ptr), arg(len)],
        };
        // The mock's callees are warm and alive.
        let ch = charge_host(c, f, &args, Facts { value: value != [0; 32], ..Facts::WARM })?;
        let avail = gas_of(c) as u64;
        let fwd = ch.forward.map_or(0, |fw| fw.taken(avail));
        let used = c.data().callee_gas_used.min(fwd);
        charge(c, used)?;
        let (status, rd) = c.data().call_result.clone();
        let h = c.data_mut();
        h.calls.push(CallRecord {
            kind: f.import_name(),
            requested_gas: gas as u64,
            forwarded_gas: fwd,
            gas_before,
            addr,
            value,
            input,
        });
        h.returndata = rd;
        Ok(status)
    }
    l.func_wrap(m, "call", |mut c: C<'_>, g: i64, a: i32, v: i32, p: i32, n: i32| {
        do_call(&mut c, HostFn::Call, g, a, Some(v), p, n)
    })
    .unwrap();
    l.func_wrap(m, "call_code", |mut c: C<'_>, g: i64, a: i32, v: i32, p: i32, n: i32| {
        do_call(&mut c, HostFn::CallCode, g, a, Some(v), p, n)
    })
    .unwrap();
    l.func_wrap(m, "delegate_call", |mut c: C<'_>, g: i64, a: i32, p: i32, n: i32| {
        do_call(&mut c, HostFn::DelegateCall, g, a, None, p, n)
    })
    .unwrap();
    l.func_wrap(m, "static_call", |mut c: C<'_>, g: i64, a: i32, p: i32, n: i32| {
        do_call(&mut c, HostFn::StaticCall, g, a, None, p, n)
    })
    .unwrap();
    fn do_create(c: &mut C<'_>, v: i32, p: i32, n: i32, salt_ptr: Option<i32>, out: i32) -> Result<i32, wasmi::Error> {
        let value = key(c, v)?;
        let code = read(c, p, n)?;
        let salt = match salt_ptr {
            Some(s) => Some(key(c, s)?),
            None => None,
        };
        let (f, args) = match salt_ptr {
            Some(s) => (HostFn::Create2, vec![arg(v), arg(p), arg(n), arg(s), arg(out)]),
            None => (HostFn::Create, vec![arg(v), arg(p), arg(n), arg(out)]),
        };
        charge_host(c, f, &args, Facts::WARM)?;
        let (status, addr) = c.data().create_result;
        c.data_mut().creates.push((value, code, salt));
        c.data_mut().returndata.clear();
        write(c, out, &if status == 0 { addr } else { [0; 20] })?;
        Ok(status)
    }
    l.func_wrap(m, "create", |mut c: C<'_>, v: i32, p: i32, n: i32, out: i32| do_create(&mut c, v, p, n, None, out))
        .unwrap();
    l.func_wrap(m, "create2", |mut c: C<'_>, v: i32, p: i32, n: i32, s: i32, out: i32| {
        do_create(&mut c, v, p, n, Some(s), out)
    })
    .unwrap();
    l
}

/// The result of running a module.
#[derive(Debug)]
pub struct Run {
    pub outcome: Outcome,
    pub gas_left: i64,
    pub host: Host,
    /// Weighted WASM instructions executed (with [`Prepared::with_count`]).
    pub fuel: u64,
}

impl Run {
    /// Gas used from `gas`.
    pub fn used(&self, gas: i64) -> i64 {
        gas - self.gas_left
    }
    /// The returned data (panics otherwise).
    pub fn output(&self) -> &[u8] {
        match &self.outcome {
            Outcome::Return(d) => d,
            o => panic!("expected a return, got {o:?}"),
        }
    }
}

/// A compiled module ready to run many times.
pub struct Prepared {
    engine: Engine,
    module: Module,
    linker: Linker<Host>,
    fuel: bool,
}

impl Prepared {
    pub fn new(wasm: &[u8]) -> Self {
        Self::build(wasm, false)
    }

    /// Counts executed instructions weighted by host-abi's `OpClass` weights.
    pub fn with_count(wasm: &[u8]) -> Self {
        Self::build(&count::instrument(wasm), true)
    }

    fn build(wasm: &[u8], fuel: bool) -> Self {
        // The transpiler's helpers use the wide-arithmetic proposal (as zkos's wasmi config).
        let mut config = wasmi::Config::default();
        config.wasm_wide_arithmetic(true);
        let engine = Engine::new(&config);
        let module = Module::new(&engine, wasm).expect("wasmi accepts the module");
        let linker = linker(&engine);
        Self { engine, module, linker, fuel }
    }

    pub fn run(&self, mut host: Host, gas: i64) -> Run {
        host.outcome = None;
        let mut store = Store::new(&self.engine, host);
        let inst = self.linker.instantiate_and_start(&mut store, &self.module).expect("instantiate");
        let g = inst.get_global(&store, host_abi::GAS_GLOBAL_EXPORT).expect("gas global");
        g.set(&mut store, Val::I64(gas)).unwrap();
        let f = inst.get_typed_func::<(), ()>(&store, "call").expect("call export");
        let r = f.call(&mut store, ());
        let gas_left = g.get(&store).i64().unwrap();
        let fuel = match self.fuel {
            true => inst.get_global(&store, count::COUNT_EXPORT).unwrap().get(&store).i64().unwrap() as u64,
            false => 0,
        };
        let host_outcome = store.data().outcome.clone();
        let outcome = match (r, host_outcome) {
            (Ok(()), _) => Outcome::FellOff,
            (Err(_), Some(o)) => o,
            (Err(_), None) if gas_left < 0 => Outcome::OutOfGas,
            (Err(e), None) => Outcome::Trap(e.to_string()),
        };
        Run { outcome, gas_left, host: store.into_data(), fuel }
    }
}

/// Transpiles, validates and runs EVM code with calldata.
pub fn run(evm: &[u8], calldata: &[u8], gas: i64) -> Run {
    let wasm = evm_to_wasm::transpile(evm).expect("transpile");
    validate(&wasm);
    let host = Host { calldata: calldata.to_vec(), code: evm.to_vec(), ..Host::default() };
    Prepared::new(&wasm).run(host, gas)
}

/// Validates a module with wasmparser's default features, and checks it avoids `select`
/// with a condition `i32.eqz`/`i32.eq 0`/`i32.ne 0` of a local, which wasmi 2.0.0
/// mistranslates (the condition is ignored).
pub fn validate(wasm: &[u8]) {
    if let Err(e) = wasmparser::validate(wasm) {
        panic!("invalid module: {e}");
    }
    use wasmparser::Operator as O;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let wasmparser::Payload::CodeSectionEntry(body) = payload.unwrap() {
            let ops: Vec<O<'_>> = body.get_operators_reader().unwrap().into_iter().map(Result::unwrap).collect();
            for w in ops.windows(4) {
                let bad = matches!(w[3], O::Select)
                    && (matches!((&w[1], &w[2]), (O::LocalGet { .. }, O::I32Eqz))
                        || matches!(
                            (&w[0], &w[1], &w[2]),
                            (O::LocalGet { .. }, O::I32Const { value: 0 }, O::I32Eq | O::I32Ne)
                        )
                        || matches!(
                            (&w[0], &w[1], &w[2]),
                            (O::I32Const { value: 0 }, O::LocalGet { .. }, O::I32Eq | O::I32Ne)
                        ));
                assert!(!bad, "select on a zero test of a local (wasmi 2.0.0 bug): {w:?}");
            }
        }
    }
}
