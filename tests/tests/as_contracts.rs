//! Contracts written in AssemblyScript with the SDK's contract model (sdk/assemblyscript:
//! `@contract`, `@event`, `@error`, `@payable`, `@getter`, the compile-time transform)
//! against their Solidity twins, as tests/macro_contracts.rs does for the Rust macro: every
//! call goes to both, in one state, and must give the same status, output, revert data, logs
//! and storage words; on every engine. The AssemblyScript source is compiled here (the SDK's
//! compile.sh, npm installs the compiler on first use), so the test checks the transform as
//! it is now; the Solidity twin is compiled by solc-js.

use std::path::PathBuf;
use std::process::Command;

use alloy_primitives::{keccak256, Address, B256, U256};
use wasm_runtime::block::Receipt;
use wasm_runtime::engine::EngineKind;
use zkos_tests::{address_word as a, calldata, envelope, selector, word as u, Chain, ALICE, BOB, DEFAULT_GAS};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs the AssemblyScript SDK's compile.sh on `entry` (relative to the repository) into a
/// file of this process's own; the compiler's output on failure.
fn compile_as(entry: &str, out_name: &str) -> Result<Vec<u8>, String> {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{out_name}-{}.wasm", std::process::id()));
    let run = Command::new(repo().join("sdk/assemblyscript/compile.sh"))
        .arg(repo().join(entry))
        .arg(&out)
        .current_dir(repo())
        .output()
        .unwrap_or_else(|e| panic!("running compile.sh: {e} (node and npm are needed)"));
    if !run.status.success() {
        return Err(format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr)));
    }
    let wasm = std::fs::read(&out).expect("compile.sh wrote its output");
    let _ = std::fs::remove_file(&out);
    Ok(wasm)
}

/// Creation bytecode of the Solidity twin `name` in `folder` (relative to the repository).
fn solidity(folder: &str, name: &str) -> Vec<u8> {
    let script = format!("{}/solidity/compile.js", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("node")
        .arg(&script)
        .arg(format!("../../{folder}"))
        .output()
        .unwrap_or_else(|e| panic!("running node {script}: {e} (node and npm are needed)"));
    assert!(out.status.success(), "{script} failed: {}", String::from_utf8_lossy(&out.stderr));
    let json = String::from_utf8(out.stdout).expect("compile.js prints JSON");
    let key = format!("\"{name}\":\"");
    let start = json.find(&key).unwrap_or_else(|| panic!("no contract {name} in {json}")) + key.len();
    let end = start + json[start..].find('"').expect("closing quote");
    hex::decode(&json[start..end]).expect("bytecode is hex")
}

/// The contents of the custom sections named `name` of a WASM module.
fn custom_sections(wasm: &[u8], name: &str) -> Vec<Vec<u8>> {
    fn leb(b: &[u8], p: &mut usize) -> usize {
        let (mut v, mut shift) = (0usize, 0);
        loop {
            let byte = b[*p];
            *p += 1;
            v |= usize::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return v;
            }
            shift += 7;
        }
    }
    let (mut p, mut out) = (8, Vec::new());
    while p < wasm.len() {
        let id = wasm[p];
        p += 1;
        let len = leb(wasm, &mut p);
        let end = p + len;
        if id == 0 {
            let n = leb(wasm, &mut p);
            if &wasm[p..p + n] == name.as_bytes() {
                out.push(wasm[p + n..end].to_vec());
            }
        }
        p = end;
    }
    out
}

/// The WASM contract and its Solidity twin, deployed side by side.
struct Twins {
    wasm: Address,
    evm: Address,
}

impl Twins {
    fn deploy(chain: &mut Chain, wasm: &[u8], evm_init: &[u8], args: &[u8]) -> Twins {
        let r = chain.deploy(&envelope(wasm, &[]), args);
        assert!(r.success, "WASM deployment: {:?}", r.error);
        let wasm = r.contract_address.unwrap();
        let e = chain.deploy(evm_init, args);
        assert!(e.success, "EVM deployment: {:?}", e.error);
        println!("deploy gas: wasm {} evm {}", r.gas_used, e.gas_used);
        Twins { wasm, evm: e.contract_address.unwrap() }
    }

    /// Sends the same call to both; they must agree. Returns the WASM contract's receipt.
    fn call(&self, chain: &mut Chain, from: Address, data: &[u8], value: u64) -> Receipt {
        let tx = chain.tx(from, Some(self.wasm), data, U256::from(value), DEFAULT_GAS);
        let w = chain.send(tx);
        let tx = chain.tx(from, Some(self.evm), data, U256::from(value), DEFAULT_GAS);
        let e = chain.send(tx);
        assert_eq!(w.success, e.success, "status of {:02x?}: WASM {:?}, EVM {:?}", data.get(..4), w.error, e.error);
        assert_eq!(w.output, e.output, "output of {:02x?}", data.get(..4));
        assert_eq!(w.logs.len(), e.logs.len(), "number of logs");
        for (wl, el) in w.logs.iter().zip(&e.logs) {
            assert_eq!(wl.topics(), el.topics());
            assert_eq!(wl.data.data, el.data.data);
        }
        println!("gas {:02x?} value {value}: wasm {} evm {}", data.get(..4), w.gas_used, e.gas_used);
        w
    }

    /// The same storage word in both.
    fn same_slot(&self, chain: &Chain, key: U256) -> U256 {
        let w = chain.storage(self.wasm, key);
        assert_eq!(w, chain.storage(self.evm, key), "storage slot {key:#x}");
        w
    }
}

/// `keccak256(pad32(key) ‖ pad32(slot))`: solc's slot of a mapping entry.
fn entry(key: [u8; 32], slot: [u8; 32]) -> U256 {
    let mut pre = key.to_vec();
    pre.extend_from_slice(&slot);
    U256::from_be_bytes(keccak256(pre).0)
}

fn vault(engine: EngineKind) {
    let wasm = compile_as("examples/as-vault/assembly/index.ts", "as-vault").unwrap_or_else(|e| panic!("{e}"));
    let mut chain = Chain::new(engine);
    let v = Twins::deploy(&mut chain, &wasm, &solidity("examples/vault", "Vault"), &[]);
    // deposit(): payable, logs Deposited(who indexed, amount).
    let r = v.call(&mut chain, ALICE, &calldata("deposit()", &[]), 1000);
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.logs[0].topics(), &[keccak256("Deposited(address,uint256)"), B256::from(a(ALICE))]);
    assert_eq!(r.logs[0].data.data.as_ref(), &u(1000));
    v.call(&mut chain, BOB, &calldata("deposit()", &[]), 250);
    v.call(&mut chain, BOB, &calldata("deposit()", &[]), 0);
    assert_eq!(chain.balance(v.wasm), U256::from(1250u64));
    let r = v.call(&mut chain, BOB, &calldata("balanceOf(address)", &[a(ALICE)]), 0);
    assert_eq!(r.output.as_ref(), &u(1000));
    let r = v.call(&mut chain, BOB, &calldata("totalDeposits()", &[]), 0);
    assert_eq!(r.output.as_ref(), &u(1250));
    assert_eq!(v.same_slot(&chain, entry(a(ALICE), u(0))), U256::from(1000u64));
    assert_eq!(v.same_slot(&chain, U256::from(1u64)), U256::from(1250u64));
    assert_eq!(v.same_slot(&chain, U256::ZERO), U256::ZERO, "the mapping's own slot stays empty");

    // withdraw beyond the balance: the custom error, typed.
    let r = v.call(&mut chain, BOB, &calldata("withdraw(uint256)", &[u(251)]), 0);
    assert!(!r.success);
    let mut want = selector("InsufficientBalance(uint256,uint256)").to_vec();
    want.extend_from_slice(&u(250));
    want.extend_from_slice(&u(251));
    assert_eq!(r.output.as_ref(), want.as_slice());
    // An amount above 2^64 (the high limbs of U256).
    let mut huge = [0u8; 32];
    huge[0] = 1;
    let r = v.call(&mut chain, BOB, &calldata("withdraw(uint256)", &[huge]), 0);
    assert_eq!(&r.output[..4], &selector("InsufficientBalance(uint256,uint256)"));
    // Value sent to a function that is not payable: reverts with empty data.
    let r = v.call(&mut chain, BOB, &calldata("withdraw(uint256)", &[u(1)]), 5);
    assert!(!r.success && r.output.is_empty());
    let r = v.call(&mut chain, BOB, &calldata("balanceOf(address)", &[a(BOB)]), 1);
    assert!(!r.success && r.output.is_empty(), "getters are not payable");
    // A good withdrawal sends the ether back and logs Withdrawn.
    let before = chain.balance(v.wasm);
    let r = v.call(&mut chain, BOB, &calldata("withdraw(uint256)", &[u(200)]), 0);
    assert!(r.success, "{:?}", r.error);
    assert_eq!(chain.balance(v.wasm), before - U256::from(200u64));
    assert_eq!(r.logs[0].topics(), &[keccak256("Withdrawn(address,uint256)"), B256::from(a(BOB))]);
    assert_eq!(v.same_slot(&chain, entry(a(BOB), u(0))), U256::from(50u64));
    assert_eq!(v.same_slot(&chain, U256::from(1u64)), U256::from(1050u64));
    // Withdrawing everything, then nothing more.
    assert!(v.call(&mut chain, BOB, &calldata("withdraw(uint256)", &[u(50)]), 0).success);
    assert!(!v.call(&mut chain, BOB, &calldata("withdraw(uint256)", &[u(1)]), 0).success);
    // Unknown selector, short calldata, malformed argument (an address with high bits),
    // plain ether (no receive function).
    assert!(!v.call(&mut chain, BOB, &calldata("nope()", &[]), 0).success);
    assert!(!v.call(&mut chain, BOB, &[0xd0, 0xe3], 0).success);
    assert!(!v.call(&mut chain, BOB, &[], 7).success);
    assert!(!v.call(&mut chain, BOB, &calldata("withdraw(uint256)", &[u(1)])[..20], 0).success);
    let mut dirty = a(ALICE);
    dirty[0] = 1;
    assert!(!v.call(&mut chain, BOB, &calldata("balanceOf(address)", &[dirty]), 0).success);
}

/// Small state variables packed into one slot as solc packs them, uint64 and bool values
/// and keys, constructor arguments, a view (sdk/assemblyscript/test/packed).
fn packed(engine: EngineKind) {
    let wasm = compile_as("sdk/assemblyscript/test/packed/Packed.ts", "packed").unwrap_or_else(|e| panic!("{e}"));
    let mut chain = Chain::new(engine);
    let p = Twins::deploy(&mut chain, &wasm, &solidity("sdk/assemblyscript/test/packed", "Packed"), &u(40));
    // The deployer is the owner, in the low 20 bytes of slot 0; count in slot 2.
    assert_eq!(p.same_slot(&chain, U256::ZERO), U256::from_be_bytes(a(ALICE)));
    assert_eq!(p.same_slot(&chain, U256::from(2u64)), U256::from(40u64));
    let r = p.call(&mut chain, BOB, &calldata("configure(address,bool,uint32)", &[a(BOB), u(1), u(0xdead_beef)]), 0);
    assert!(r.success, "{:?}", r.error);
    let mut want = U256::from(0xdead_beefu64) << 168;
    want |= U256::from(1u64) << 160;
    want |= U256::from_be_bytes(a(BOB));
    assert_eq!(p.same_slot(&chain, U256::ZERO), want, "owner, flag and small share slot 0");
    for sig in ["owner()", "flag()", "small()", "total()", "count()"] {
        assert!(p.call(&mut chain, BOB, &calldata(sig, &[]), 0).success, "{sig}");
    }
    let r = p.call(&mut chain, BOB, &calldata("bump(uint64)", &[u(2)]), 0);
    assert_eq!(r.output.as_ref(), &u(42));
    assert_eq!(p.same_slot(&chain, entry(u(42), u(3))), U256::from(1u64));
    assert_eq!(p.same_slot(&chain, U256::from(1u64)), U256::from(2u64));
    let r = p.call(&mut chain, BOB, &calldata("seen(uint64)", &[u(42)]), 0);
    assert_eq!(r.output.as_ref(), &u(1));
    let r = p.call(&mut chain, ALICE, &calldata("isOwner(address)", &[a(BOB)]), 0);
    assert_eq!(r.output.as_ref(), &u(1));
    // Changing one packed field keeps its neighbours.
    assert!(p.call(&mut chain, BOB, &calldata("configure(address,bool,uint32)", &[a(ALICE), u(0), u(7)]), 0).success);
    let want = (U256::from(7u64) << 168) | U256::from_be_bytes(a(ALICE));
    assert_eq!(p.same_slot(&chain, U256::ZERO), want);
    // Out-of-range words: a bool of 2, a uint32 and a uint64 with high bits.
    assert!(!p.call(&mut chain, BOB, &calldata("configure(address,bool,uint32)", &[a(BOB), u(2), u(1)]), 0).success);
    assert!(
        !p.call(&mut chain, BOB, &calldata("configure(address,bool,uint32)", &[a(BOB), u(1), u(1 << 32)]), 0).success
    );
    let mut wide = u(1);
    wide[23] = 1;
    assert!(!p.call(&mut chain, BOB, &calldata("bump(uint64)", &[wide]), 0).success);
    assert!(!p.call(&mut chain, BOB, &calldata("seen(uint64)", &[wide]), 0).success);
    // Constructor arguments too short: the generated deploy refuses them.
    let r = chain.deploy(&envelope(&wasm, &[]), &[1, 2]);
    assert!(!r.success);
}

zkos_tests::engine_tests!(vault, packed);

/// The ABI the transform embeds is the one the Rust macro embeds for the same contract
/// (node/tests/abi_cmd.rs checks that one against solc's), byte for byte.
#[test]
fn vault_abi_section() {
    let wasm = compile_as("examples/as-vault/assembly/index.ts", "as-vault-abi").unwrap_or_else(|e| panic!("{e}"));
    let sections = custom_sections(&wasm, "zkos:abi");
    assert_eq!(sections.len(), 1, "one zkos:abi section");
    let path = repo().join("examples/out/vault.wasm");
    let rust = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}; run examples/build.sh first", path.display()));
    let want = custom_sections(&rust, "zkos:abi");
    assert_eq!(String::from_utf8_lossy(&sections[0]), String::from_utf8_lossy(&want[0]));
}

/// Bad contracts stop the compiler with a message naming the declaration.
#[test]
fn transform_refusals() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("as-refusals-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // The compiler resolves relative imports only.
    let (from, to) = (dir.canonicalize().unwrap(), repo().canonicalize().unwrap());
    let common = from.components().zip(to.components()).take_while(|(x, y)| x == y).count();
    let up = "../".repeat(from.components().count() - common);
    let rest: PathBuf = to.components().skip(common).collect();
    let sdk = format!("{up}{}/sdk/assemblyscript/assembly/contract", rest.display()).replace("//", "/");
    let cases = [
        ("f32 field", "@contract class C { x: f32; }", "unsupported ABI type `f32`"),
        ("string param", "@contract class C { f(s: string): void {} }", "unsupported ABI type `string`"),
        ("view payable", "@contract class C { @view @payable f(): void {} }", "both @view and @payable"),
        ("two contracts", "@contract class C {}\n@contract class D {}", "one @contract per module"),
        ("collision", "@contract class C { f(): void {} @getter f: U256; }", "selector of `f()`"),
    ];
    for (what, body, want) in cases {
        let file = dir.join(format!("{}.ts", what.replace(' ', "_")));
        let src = format!("import {{ U256 }} from \"{sdk}\";\n{body}\n");
        std::fs::write(&file, src).unwrap();
        let err = compile_as(file.to_str().unwrap(), "refused").expect_err(what);
        assert!(err.contains(want), "{what}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
