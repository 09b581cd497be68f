//! # erc20-macro: an ERC-20 token written with `#[contract]` (zkos WASM example contract)
//!
//! The Solidity twin is `Token.sol` (same storage layout, ABI, events and errors: the
//! custom errors of OpenZeppelin 5's ERC-20). Constructor arguments: `(string name, string
//! symbol, uint256 supply)`; the deployer gets the supply. An allowance of `2^256 - 1` is
//! infinite. Value sent to any function reverts with empty data.
//!
//! Storage: slot 0 `mapping(address => uint256) balanceOf`, slot 1 `mapping(address =>
//! mapping(address => uint256)) allowance`, slot 2 `uint256 totalSupply`, slots 3 and 4
//! `string name`, `string symbol`.
#![no_std]

extern crate alloc;

use alloc::string::String;
use zkos_sdk::prelude::*;

sol! {
    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed);
    error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed);
    error ERC20InvalidReceiver(address receiver);
    error ERC20InvalidSpender(address spender);
}

#[contract]
pub struct Token {
    pub balance_of: Mapping<Address, U256>,
    pub allowance: Mapping<Address, Mapping<Address, U256>>,
    pub total_supply: U256,
    pub name: StorageString,
    pub symbol: StorageString,
}

#[contract]
impl Token {
    #[constructor]
    pub fn constructor(&mut self, name: String, symbol: String, supply: U256) {
        self.name.set(&name);
        self.symbol.set(&symbol);
        self.total_supply.set(supply);
        self.balance_of.set(&msg::sender(), supply);
        Transfer { from: Address::ZERO, to: msg::sender(), value: supply }.emit();
    }

    #[pure]
    pub fn decimals(&self) -> u8 {
        18
    }

    pub fn transfer(&mut self, to: Address, value: U256) -> bool {
        self.move_tokens(msg::sender(), to, value);
        true
    }

    pub fn approve(&mut self, spender: Address, value: U256) -> bool {
        require!(!spender.is_zero(), ERC20InvalidSpender { spender });
        self.allowance.at_mut(&msg::sender()).set(&spender, value);
        Approval { owner: msg::sender(), spender, value }.emit();
        true
    }

    pub fn transfer_from(&mut self, from: Address, to: Address, value: U256) -> bool {
        let spender = msg::sender();
        let allowed = self.allowance.at(&from).get(&spender);
        if allowed != U256::MAX {
            require!(allowed >= value, ERC20InsufficientAllowance { spender, allowance: allowed, needed: value });
            self.allowance.at_mut(&from).set(&spender, allowed - value);
        }
        self.move_tokens(from, to, value);
        true
    }

    fn move_tokens(&mut self, from: Address, to: Address, value: U256) {
        require!(!to.is_zero(), ERC20InvalidReceiver { receiver: to });
        let balance = self.balance_of.get(&from);
        require!(balance >= value, ERC20InsufficientBalance { sender: from, balance, needed: value });
        self.balance_of.set(&from, balance - value);
        self.balance_of.set(&to, self.balance_of.get(&to) + value);
        Transfer { from, to, value }.emit();
    }
}
