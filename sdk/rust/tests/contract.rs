//! `#[contract]` and `sol!` on the SDK's test double: the storage layout against solc's
//! (solc-js through node), dispatch, ABI coding, the payable rule, events and errors.

use zkos_sdk::abi;
use zkos_sdk::contract::{SolError, SolEvent};
use zkos_sdk::mock::{self, Outcome};
use zkos_sdk::prelude::*;

sol! {
    event Paid(address indexed from, uint256 amount, string memo);
    event Flagged(bool indexed on, uint64 at);
    error TooMuch(uint256 have, uint256 want);
}

/// The twin of tests/solidity/layout.sol.
#[contract]
pub struct Layout {
    owner: Address,
    paused: bool,
    decimals: u8,
    created: u64,
    #[public]
    total: U256,
    lo: u128,
    hi: u128,
    small: u32,
    balances: Mapping<Address, U256>,
    after_mapping: u16,
    #[public(name = "allowanceOf")]
    allowances: Mapping<Address, Mapping<Address, U256>>,
    #[public]
    holders: StorageVec<Address>,
    stamps: StorageVec<u64>,
    name: StorageString,
    #[public]
    data: StorageBytes,
    root: Word,
    last: bool,
    next: Address,
    overflow: u128,
    by_name: Mapping<str, U256>,
}

#[contract]
impl Layout {
    #[constructor]
    pub fn constructor(&mut self, owner: Address, name: String) {
        self.owner.set(owner);
        self.name.set(&name);
    }

    #[payable]
    pub fn pay(&mut self, memo: String) {
        let from = msg::sender();
        let amount = msg::value();
        self.balances.set(&from, self.balances.get(&from) + amount);
        self.total.set(self.total.get() + amount);
        Paid { from, amount, memo }.emit();
    }

    pub fn set_small(&mut self, decimals: u8, created: u64, paused: bool) {
        self.decimals.set(decimals);
        self.created.set(created);
        self.paused.set(paused);
        Flagged { on: paused, at: created }.emit();
    }

    #[view]
    pub fn balance_of(&self, who: Address) -> U256 {
        self.balances.get(&who)
    }

    pub fn take(&mut self, amount: U256) -> Result<U256, Revert> {
        let who = msg::sender();
        let have = self.balances.get(&who);
        if have < amount {
            return Err(TooMuch { have, want: amount }.into());
        }
        self.balances.set(&who, have - amount);
        Ok(have - amount)
    }

    #[view]
    pub fn info(&self) -> (Address, bool, u8, u64) {
        (self.owner.get(), self.paused.get(), self.decimals.get(), self.created.get())
    }

    #[view]
    pub fn name(&self) -> String {
        self.name.get()
    }

    pub fn approve(&mut self, spender: Address, amount: U256) -> bool {
        self.allowances.at_mut(&msg::sender()).set(&spender, amount);
        true
    }

    #[view]
    pub fn allowance(&self, owner: Address, spender: Address) -> U256 {
        self.allowances.at(&owner).get(&spender)
    }

    pub fn add_holder(&mut self, who: Address, stamp: u64) -> u64 {
        self.holders.push(who);
        self.stamps.push(stamp);
        self.holders.len()
    }

    #[view]
    pub fn stamps(&self) -> Vec<u64> {
        (0..self.stamps.len()).filter_map(|i| self.stamps.get(i)).collect()
    }

    #[selector(name = "setData")]
    pub fn store_data(&mut self, data: Vec<u8>, key: String) {
        self.by_name.set(&key, U256::from(data.len()));
        self.data.set(&data);
    }
}

const ALICE: Address = Address([0xA1; 20]);

fn sel(sig: &str) -> [u8; 4] {
    zkos_sdk::keccak::keccak256_const(sig.as_bytes())[..4].try_into().unwrap()
}

/// Runs one call of the contract with `input` and `value`, from ALICE.
fn call(input: Vec<u8>, value: u64) -> Outcome<()> {
    mock::with_env(|e| {
        e.calldata = input;
        e.call_value = U256::from(value).to_be_bytes::<32>();
        e.caller = ALICE;
        e.logs.clear();
    });
    mock::run(|| Layout::__zkos_call())
}

fn slot(n: u64) -> Word {
    U256::from(n).to_be_bytes::<32>()
}

fn raw(key: &Word) -> Word {
    mock::with_env(|e| e.storage.get(key).copied().unwrap_or([0; 32]))
}

#[test]
fn layout_matches_solc() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/solidity/layout.js");
    let out = std::process::Command::new("node").arg(script).output().expect("node runs (solc-js needs it)");
    assert!(out.status.success(), "layout.js: {}", String::from_utf8_lossy(&out.stderr));
    let solc: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(solc.len(), Layout::FIELDS.len());
    for (i, entry) in solc.iter().enumerate() {
        let label = entry["label"].as_str().unwrap();
        let want_slot: u64 = entry["slot"].as_str().unwrap().parse().unwrap();
        let want_offset = entry["offset"].as_u64().unwrap();
        let rust_name = Layout::FIELDS[i].replace('_', "");
        assert_eq!(rust_name.to_lowercase(), label.to_lowercase(), "field {i}");
        assert_eq!(Layout::LAYOUT[i], (want_slot, want_offset as u8), "{label}: (slot, offset) against solc");
    }
    // Spot checks of the packing itself.
    assert_eq!(Layout::LAYOUT[1], (0, 20), "paused packs after the address");
    assert_eq!(Layout::LAYOUT[3], (0, 22));
    assert_eq!(Layout::LAYOUT[4], (1, 0), "uint256 takes the next slot");
}

#[test]
fn dispatch_storage_events_and_errors() {
    mock::reset();
    // Constructor: arguments without a selector.
    let ctor = abi::encode(&(Address([7; 20]), String::from("Vault")));
    mock::with_env(|e| e.calldata = ctor);
    assert_eq!(mock::run(|| Layout::__zkos_deploy()), Outcome::Finished(vec![]));
    assert_eq!(raw(&slot(0))[12..], [7; 20]);
    // A short string lives in its slot: data high, 2·len low (solc's short form).
    let name_slot = slot(Layout::LAYOUT[13].0);
    assert_eq!(&raw(&name_slot)[..5], b"Vault");
    assert_eq!(raw(&name_slot)[31], 10);
    assert_eq!(call(sel("name()").to_vec(), 0), Outcome::Finished(abi::encode(&(String::from("Vault"),))));

    // Payable: value accepted, event with an indexed address and a string in the data.
    let pay = abi::encode_call(sel("pay(string)"), &(String::from("hi"),));
    assert_eq!(call(pay.clone(), 500), Outcome::Finished(vec![]));
    let logs = mock::with_env(|e| e.logs.clone());
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].topics, vec![Paid::TOPIC0, ALICE.to_word()]);
    assert_eq!(Paid::TOPIC0, zkos_sdk::keccak::keccak256_const(b"Paid(address,uint256,string)"));
    assert_eq!(logs[0].data, abi::encode(&(U256::from(500), String::from("hi"))));
    let bal = abi::encode_call(sel("balanceOf(address)"), &(ALICE,));
    assert_eq!(call(bal.clone(), 0), Outcome::Finished(U256::from(500).to_be_bytes::<32>().to_vec()));

    // Not payable: value reverts with empty data, and nothing is written.
    let take = abi::encode_call(sel("take(uint256)"), &(U256::from(100),));
    assert_eq!(call(take.clone(), 1), Outcome::Reverted(vec![]));
    assert_eq!(call(bal.clone(), 1), Outcome::Reverted(vec![]), "views are not payable either");
    assert_eq!(call(take, 0), Outcome::Finished(U256::from(400).to_be_bytes::<32>().to_vec()));
    // The custom error, typed.
    let too_much = abi::encode_call(sel("take(uint256)"), &(U256::from(401),));
    let want = TooMuch { have: U256::from(400), want: U256::from(401) }.abi_encode();
    assert_eq!(&want[..4], &sel("TooMuch(uint256,uint256)"));
    assert_eq!(TooMuch::SELECTOR, sel("TooMuch(uint256,uint256)"));
    assert_eq!(call(too_much, 0), Outcome::Reverted(want));

    // Packed fields share slot 0 with the owner and keep it.
    let small = abi::encode_call(sel("setSmall(uint8,uint64,bool)"), &(18u16, 1234u64, true));
    assert_eq!(call(small, 0), Outcome::Finished(vec![]));
    let w = raw(&slot(0));
    assert_eq!(w[12..], [7; 20], "the owner is untouched");
    assert_eq!(w[11], 1, "paused at offset 20");
    assert_eq!(w[10], 18, "decimals at offset 21");
    assert_eq!(w[2..10], 1234u64.to_be_bytes(), "created at offset 22");
    let logs = mock::with_env(|e| e.logs.clone());
    assert_eq!(logs[0].topics[1][31], 1);
    assert_eq!(logs[0].data, U256::from(1234).to_be_bytes::<32>().to_vec());
    let info = call(sel("info()").to_vec(), 0);
    assert_eq!(info, Outcome::Finished(abi::encode(&(Address([7; 20]), true, 18u16, 1234u64))));
    // uint8 argument out of range: reverts (solc's decoder does too).
    let mut bad = abi::encode_call(sel("setSmall(uint8,uint64,bool)"), &(300u16, 1u64, true));
    assert_eq!(call(bad.clone(), 0), Outcome::Reverted(vec![]));
    bad.truncate(40);
    assert_eq!(call(bad, 0), Outcome::Reverted(vec![]), "short calldata");

    // Nested mapping at keccak(spender . keccak(owner . slot)).
    let spender = Address([0xB0; 20]);
    let approve = abi::encode_call(sel("approve(address,uint256)"), &(spender, U256::from(9)));
    assert_eq!(call(approve, 0), Outcome::Finished(abi::encode(&(true,))));
    let inner = zkos_sdk::storage::Slot(slot(Layout::LAYOUT[10].0)).entry(&ALICE).entry(&spender);
    assert_eq!(U256::from_be_bytes::<32>(raw(&inner.0)), U256::from(9));
    let allowance = abi::encode_call(sel("allowance(address,address)"), &(ALICE, spender));
    assert_eq!(call(allowance, 0), Outcome::Finished(U256::from(9).to_be_bytes::<32>().to_vec()));

    // Dynamic arrays: length at the slot, elements from keccak(slot), uint64s four a slot.
    for (i, stamp) in [11u64, 12, 13, 14, 15].iter().enumerate() {
        let add = abi::encode_call(sel("addHolder(address,uint64)"), &(Address([i as u8 + 1; 20]), *stamp));
        assert_eq!(call(add, 0), Outcome::Finished(U256::from(i + 1).to_be_bytes::<32>().to_vec()));
    }
    let stamps_slot = slot(Layout::LAYOUT[12].0);
    assert_eq!(U256::from_be_bytes::<32>(raw(&stamps_slot)), U256::from(5));
    let base = zkos_sdk::keccak::keccak256_const(&stamps_slot);
    let first = raw(&base);
    assert_eq!(first[24..], 11u64.to_be_bytes(), "element 0 at the low-order end");
    assert_eq!(first[..8], 14u64.to_be_bytes(), "element 3 at the high-order end");
    let holders_base = zkos_sdk::keccak::keccak256_const(&slot(Layout::LAYOUT[11].0));
    assert_eq!(raw(&holders_base)[12..], [1; 20]);
    assert_eq!(call(sel("stamps()").to_vec(), 0), Outcome::Finished(abi::encode(&(vec![11u64, 12, 13, 14, 15],))));

    // Long bytes: 2·len + 1 in the slot, data from keccak(slot); a string-keyed mapping.
    let long: Vec<u8> = (0..70).collect();
    let set = abi::encode_call(sel("setData(bytes,string)"), &(long.clone(), String::from("k")));
    assert_eq!(call(set, 0), Outcome::Finished(vec![]));
    let data_slot = slot(Layout::LAYOUT[14].0);
    assert_eq!(U256::from_be_bytes::<32>(raw(&data_slot)), U256::from(141));
    let data_base = zkos_sdk::keccak::keccak256_const(&data_slot);
    assert_eq!(raw(&data_base)[..], long[..32]);
    let by_name = zkos_sdk::storage::Slot(slot(Layout::LAYOUT[19].0)).entry("k");
    assert_eq!(U256::from_be_bytes::<32>(raw(&by_name.0)), U256::from(70));
    // Shrinking to a short value clears the long form's data slots.
    let set = abi::encode_call(sel("setData(bytes,string)"), &(vec![1u8, 2], String::from("k")));
    assert_eq!(call(set, 0), Outcome::Finished(vec![]));
    assert_eq!(raw(&data_base), [0; 32]);
    assert_eq!(raw(&data_slot)[..2], [1, 2]);
    assert_eq!(raw(&data_slot)[31], 4);

    // Getters of #[public] fields: a value, a nested mapping, an array element, bytes.
    assert_eq!(call(sel("total()").to_vec(), 0), Outcome::Finished(U256::from(500).to_be_bytes::<32>().to_vec()));
    let allowance_of = abi::encode_call(sel("allowanceOf(address,address)"), &(ALICE, spender));
    assert_eq!(call(allowance_of, 0), Outcome::Finished(U256::from(9).to_be_bytes::<32>().to_vec()));
    let holder = |i: u64| call(abi::encode_call(sel("holders(uint256)"), &(U256::from(i),)), 0);
    assert_eq!(holder(4), Outcome::Finished(Address([5; 20]).to_word().to_vec()));
    assert_eq!(holder(5), Outcome::Reverted(vec![]), "past the end");
    assert_eq!(call(sel("data()").to_vec(), 0), Outcome::Finished(abi::encode(&(vec![1u8, 2],))));
    assert_eq!(call(sel("total()").to_vec(), 1), Outcome::Reverted(vec![]), "getters are not payable");
    assert_eq!(Layout::GETTERS, ["total()", "allowanceOf(address,address)", "holders(uint256)", "data()"]);

    // Unknown selector and short calldata revert with empty data.
    assert_eq!(call(sel("nope()").to_vec(), 0), Outcome::Reverted(vec![]));
    assert_eq!(call(vec![1, 2], 0), Outcome::Reverted(vec![]));
    assert!(Layout::SIGNATURES.contains(&"setData(bytes,string)"));
    assert!(Layout::SIGNATURES.contains(&"balanceOf(address)"));
}

sol! {
    interface IOracle {
        function price(address token) external view returns (uint256);
        function pokeWith(uint256 x, string memory note) external payable returns (bool ok, uint64 count);
        function reset() external;
    }
}

#[test]
fn interface_stubs_call_encode_and_decode() {
    use zkos_sdk::mock::CallKind;
    use zkos_sdk::CallStatus;
    mock::reset();
    mock::with_env(|e| {
        e.on_call = Some(Box::new(|c| {
            let sel: [u8; 4] = c.input[..4].try_into().unwrap();
            if sel == self::sel("price(address)") {
                (CallStatus::Success, U256::from(42).to_be_bytes::<32>().to_vec(), Address::ZERO)
            } else if sel == self::sel("pokeWith(uint256,string)") {
                (CallStatus::Success, abi::encode(&(true, 7u64)), Address::ZERO)
            } else {
                (CallStatus::Revert, b"no".to_vec(), Address::ZERO)
            }
        }))
    });
    let oracle = IOracle::new(Address([5; 20]));
    assert_eq!(oracle.price(Address([1; 20])), Ok(U256::from(42)));
    assert_eq!(oracle.poke_with(U256::from(9), U256::from(3), String::from("n")), Ok((true, 7)));
    assert_eq!(oracle.reset(), Err(Revert(b"no".to_vec())), "revert data comes back");
    let calls = mock::with_env(|e| e.calls.clone());
    assert_eq!(calls[0].kind, CallKind::StaticCall, "view functions are static calls");
    assert_eq!(calls[0].to, Address([5; 20]));
    assert_eq!(calls[0].input, abi::encode_call(sel("price(address)"), &(Address([1; 20]),)));
    assert_eq!(calls[1].kind, CallKind::Call);
    assert_eq!(calls[1].value, U256::from(9).to_be_bytes::<32>(), "payable functions take the value first");
    assert_eq!(calls[1].input, abi::encode_call(sel("pokeWith(uint256,string)"), &(U256::from(3), String::from("n"))));
    // Output that does not decode is an error with empty data, not a panic.
    mock::with_env(|e| e.on_call = Some(Box::new(|_| (CallStatus::Success, vec![1, 2, 3], Address::ZERO))));
    assert_eq!(oracle.price(Address::ZERO), Err(Revert(vec![])));
}
