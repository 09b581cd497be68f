//! A scenario: one block of deployments and calls, run on zkos and revm, with what zkos
//! must report for each transaction.

use std::collections::BTreeMap;

use alloy_primitives::{Address, B256, U256};
use serde_json::{json, Map, Value};

use crate::abi::*;
use crate::compile::{code, Mode};
use crate::revm_reference;

pub(crate) const GAS_LIMIT: u64 = 3_000_000;
pub(crate) const GAS_PRICE: u64 = 10_000_000_000;
pub(crate) const TIMESTAMP: u64 = 0x6600_0000;

pub(crate) const OWNER: Address = Address::repeat_byte(0xa1);
pub(crate) const ALICE: Address = Address::repeat_byte(0xa2);
pub(crate) const BOB: Address = Address::repeat_byte(0xa3);
pub(crate) const CAROL: Address = Address::repeat_byte(0xa4);

/// What zkos must report for one transaction (beyond agreeing with revm).
pub(crate) struct Expect {
    pub(crate) status: &'static str,
    pub(crate) output: Option<Vec<u8>>,
    pub(crate) topics: Option<Vec<B256>>,
    pub(crate) created: Option<Address>,
}

impl Expect {
    /// Succeeds and returns exactly `data`.
    pub(crate) fn returns(&mut self, data: Vec<u8>) -> &mut Self {
        self.output = Some(data);
        self
    }

    /// Reverts with exactly `data`.
    pub(crate) fn reverts(&mut self, data: Vec<u8>) -> &mut Self {
        self.status = "failure";
        self.output = Some(data);
        self
    }

    /// Fails without a revert payload to check (out of gas).
    pub(crate) fn fails(&mut self) -> &mut Self {
        self.status = "failure";
        self
    }

    /// Emits logs whose first topics are `topics`, in order.
    pub(crate) fn logs(&mut self, topics: &[B256]) -> &mut Self {
        self.topics = Some(topics.to_vec());
        self
    }
}

pub(crate) struct Scenario {
    pub(crate) name: String,
    pub(crate) mode: Mode,
    pub(crate) alloc: Map<String, Value>,
    pub(crate) txs: Vec<Value>,
    pub(crate) expect: Vec<Expect>,
    pub(crate) nonces: BTreeMap<Address, u64>,
}

impl Scenario {
    /// A block whose senders each hold 1000 ether.
    pub(crate) fn new(name: &str, mode: Mode, senders: &[Address]) -> Self {
        let mut alloc = Map::new();
        for a in senders {
            alloc.insert(format!("{a:#x}"), json!({ "balance": format!("{:#x}", ether(1000)), "nonce": "0x0" }));
        }
        let name = format!("{name}-{}", mode.label());
        Scenario { name, mode, alloc, txs: Vec::new(), expect: Vec::new(), nonces: BTreeMap::new() }
    }

    pub(crate) fn fund(&mut self, who: Address, balance: U256) {
        self.alloc.insert(format!("{who:#x}"), json!({ "balance": format!("{balance:#x}"), "nonce": "0x0" }));
    }

    pub(crate) fn push(
        &mut self,
        from: Address,
        to: Option<Address>,
        value: U256,
        data: Vec<u8>,
        gas: u64,
    ) -> &mut Expect {
        let nonce = self.nonces.entry(from).or_insert(0);
        let mut tx = json!({
            "sender": format!("{from:#x}"),
            "nonce": format!("{nonce:#x}"),
            "gasLimit": format!("{gas:#x}"),
            "value": format!("{value:#x}"),
            "data": format!("0x{}", hex::encode(&data)),
        });
        if let Some(to) = to {
            tx["to"] = json!(format!("{to:#x}"));
        }
        // Alice and Bob send EIP-1559 transactions, the others legacy ones.
        if [ALICE, BOB].contains(&from) {
            tx["maxFeePerGas"] = json!(format!("{:#x}", 2 * GAS_PRICE));
            tx["maxPriorityFeePerGas"] = json!(format!("{:#x}", GAS_PRICE / 5));
        } else {
            tx["gasPrice"] = json!(format!("{GAS_PRICE:#x}"));
        }
        *nonce += 1;
        self.txs.push(tx);
        self.expect.push(Expect { status: "success", output: None, topics: None, created: None });
        self.expect.last_mut().unwrap()
    }

    /// A transaction that must be left out of the block (its nonce is not used up).
    pub(crate) fn push_rejected(&mut self, from: Address, to: Option<Address>, value: U256, data: Vec<u8>, gas: u64) {
        self.push(from, to, value, data, gas).status = "rejected";
        *self.nonces.get_mut(&from).unwrap() -= 1;
    }

    /// Gives the last transaction an EIP-2930 access list.
    pub(crate) fn with_access_list(&mut self, list: &[(Address, Vec<U256>)]) {
        let list: Vec<Value> = list
            .iter()
            .map(|(a, keys)| {
                let keys: Vec<String> = keys.iter().map(|k| format!("{:#066x}", k)).collect();
                json!({ "address": format!("{a:#x}"), "storageKeys": keys })
            })
            .collect();
        self.txs.last_mut().unwrap()["accessList"] = json!(list);
    }

    /// Deploys `name` with constructor `args`; the address is the sender's next CREATE address.
    pub(crate) fn deploy(&mut self, from: Address, name: &str, args: &[Arg]) -> Address {
        let address = self.create_address(from);
        let mut data = code(self.mode, name);
        data.extend(encode(args));
        self.push(from, None, U256::ZERO, data, GAS_LIMIT).created = Some(address);
        address
    }

    pub(crate) fn create_address(&self, from: Address) -> Address {
        from.create(self.nonces.get(&from).copied().unwrap_or(0))
    }

    pub(crate) fn call(&mut self, from: Address, to: Address, sig: &str, args: &[Arg]) -> &mut Expect {
        self.push(from, Some(to), U256::ZERO, abi(sig, args), GAS_LIMIT)
    }

    pub(crate) fn call_value(
        &mut self,
        from: Address,
        to: Address,
        value: U256,
        sig: &str,
        args: &[Arg],
    ) -> &mut Expect {
        self.push(from, Some(to), value, abi(sig, args), GAS_LIMIT)
    }

    pub(crate) fn block(&self) -> Value {
        json!({
            "alloc": self.alloc,
            "env": {
                "currentCoinbase": "0xc014ba5ec014ba5ec014ba5ec014ba5ec014ba5e",
                "currentGasLimit": format!("{:#x}", 60_000_000u64),
                "currentNumber": "0x10",
                "currentTimestamp": format!("{TIMESTAMP:#x}"),
                "currentBaseFee": format!("{:#x}", 7_000_000_000u64),
                "currentRandom": "0x0000000000000000000000000000000000000000000000000000000000000abc",
                "currentExcessBlobGas": "0x0",
                "withdrawals": []
            },
            "txs": self.txs,
        })
    }

    /// Runs the block on zkos and revm, asserts they agree and that zkos reports the
    /// expected facts; returns the zkos report.
    pub(crate) fn run(&self) -> Value {
        let block = self.block();
        let report = revm_reference::run_zkos(&self.name, &block);
        let results = revm_reference::check_report(&self.name, &block, &report);
        let txs = report["transactions"].as_array().expect("transactions");
        assert_eq!(txs.len(), self.expect.len(), "{}: one report per transaction", self.name);
        for (i, (tx, want)) in txs.iter().zip(&self.expect).enumerate() {
            let at = format!("{} tx {i}", self.name);
            assert_eq!(tx["status"], want.status, "{at}: {tx}");
            if let Some(output) = &want.output {
                assert_eq!(tx["output"], format!("0x{}", hex::encode(output)), "{at}: output");
            }
            if let Some(topics) = &want.topics {
                let got: Vec<B256> = tx["logs"]
                    .as_array()
                    .expect("logs")
                    .iter()
                    .map(|l| l["topics"][0].as_str().unwrap().parse().unwrap())
                    .collect();
                assert_eq!(&got, topics, "{at}: first topics of the logs");
            }
            if let Some(created) = want.created {
                let got = tx["contractAddress"].as_str().map(|a| a.parse::<Address>().unwrap());
                assert_eq!(got, Some(created), "{at}: created address");
            }
        }
        assert_eq!(results.len(), txs.len(), "{}: one result per transaction", self.name);
        for (i, (result, tx)) in results.iter().zip(txs).enumerate() {
            assert_eq!(result.gas_used, tx["gasUsed"].as_u64().unwrap(), "{} tx {i}: gas of the harness", self.name);
        }
        report
    }
}

/// The storage value of `slot` of `address` after the block, from the report's state diff.
pub(crate) fn slot_after(report: &Value, address: Address, slot: U256) -> Option<U256> {
    let change = report["stateDiff"]
        .as_array()?
        .iter()
        .find(|c| c["address"].as_str().unwrap().parse::<Address>().unwrap() == address)?;
    change["storage"].as_array()?.iter().find_map(|s| {
        let key: U256 = s[0].as_str()?.parse().ok()?;
        (key == slot).then(|| s[2].as_str().unwrap().parse().unwrap())
    })
}

pub(crate) fn balance_after(report: &Value, address: Address) -> Option<U256> {
    let change = report["stateDiff"]
        .as_array()?
        .iter()
        .find(|c| c["address"].as_str().unwrap().parse::<Address>().unwrap() == address)?;
    change["balance"][1].as_str()?.parse().ok()
}
