//! # vault: a payable vault written with `#[contract]` (zkos WASM example contract)
//!
//! Anyone deposits ether and withdraws up to what they deposited. The Solidity twin is
//! `Vault.sol` (same storage layout, ABI, events and errors).
//!
//! | signature | selector | notes |
//! |---|---|---|
//! | `deposit()` | `0xd0e30db0` | payable; logs `Deposited(address indexed who, uint256 amount)` |
//! | `withdraw(uint256)` | `0x2e1a7d4d` | sends the ether back as Solidity's `transfer` does (2300 gas stipend, empty revert data if refused); logs `Withdrawn(address indexed who, uint256 amount)`; reverts with `InsufficientBalance(uint256 available, uint256 requested)` |
//! | `balanceOf(address)` | `0x70a08231` | view (getter of the `pub` mapping) |
//! | `totalDeposits()` | `0x7d882097` | view (getter) |
//!
//! Value sent to any function but `deposit` reverts with empty data, as do unknown
//! selectors. Storage: slot 0 `mapping(address => uint256) balanceOf`, slot 1 `uint256
//! totalDeposits`.
#![no_std]

use zkos_sdk::prelude::*;

sol! {
    event Deposited(address indexed who, uint256 amount);
    event Withdrawn(address indexed who, uint256 amount);
    error InsufficientBalance(uint256 available, uint256 requested);
}

#[contract]
pub struct Vault {
    pub balance_of: Mapping<Address, U256>,
    pub total_deposits: U256,
}

#[contract]
impl Vault {
    #[payable]
    pub fn deposit(&mut self) {
        let (who, amount) = (msg::sender(), msg::value());
        self.balance_of.set(&who, self.balance_of.get(&who) + amount);
        self.total_deposits.set(self.total_deposits.get() + amount);
        Deposited { who, amount }.emit();
    }

    pub fn withdraw(&mut self, amount: U256) {
        let who = msg::sender();
        let available = self.balance_of.get(&who);
        require!(available >= amount, InsufficientBalance { available, requested: amount });
        self.balance_of.set(&who, available - amount);
        self.total_deposits.set(self.total_deposits.get() - amount);
        pay(&who, amount);
        Withdrawn { who, amount }.emit();
    }
}
