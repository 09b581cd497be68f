//! # erc721-macro: an ERC-721 written with `#[contract]` (zkos WASM example contract)
//!
//! The Solidity twin is `Nft.sol` (same storage layout, ABI, events and errors: OpenZeppelin
//! 5's ERC-721 behaviour, with a public `mint(address,uint256)`). Constructor arguments:
//! `(string name, string symbol)`. `safeTransferFrom` calls `onERC721Received` on a
//! receiver that has code through a typed interface, bubbles its revert data and reverts
//! with `ERC721InvalidReceiver` if it answers anything but the selector (or reverts with
//! empty data). One difference from the twin: a receiver whose answer is not an ABI
//! `bytes4` at all (shorter than a word, or with bits past its four bytes) makes Solidity's
//! `try` revert with empty data, and this contract revert with `ERC721InvalidReceiver` (the
//! `sol!` interface stub reports such an answer as an `Err` with empty data, as it does an
//! empty revert). Value sent to any function reverts with empty data.
//!
//! Storage: slots 0 and 1 `string name`, `symbol`; slot 2 `mapping(uint256 => address)`
//! owners, slot 3 `mapping(address => uint256)` balances, slot 4 `mapping(uint256 =>
//! address)` approvals, slot 5 `mapping(address => mapping(address => bool))
//! isApprovedForAll`.
#![no_std]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use zkos_sdk::context::ext_code_size;
use zkos_sdk::prelude::*;

sol! {
    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    event Approval(address indexed owner, address indexed approved, uint256 indexed tokenId);
    event ApprovalForAll(address indexed owner, address indexed operator, bool approved);
    error ERC721InvalidOwner(address owner);
    error ERC721NonexistentToken(uint256 tokenId);
    error ERC721IncorrectOwner(address sender, uint256 tokenId, address owner);
    error ERC721InvalidSender(address sender);
    error ERC721InvalidReceiver(address receiver);
    error ERC721InsufficientApproval(address operator, uint256 tokenId);
    error ERC721InvalidApprover(address approver);
    error ERC721InvalidOperator(address operator);
    interface IERC721Receiver {
        function onERC721Received(address operator, address from, uint256 tokenId, bytes data) external returns (bytes4);
    }
}

#[contract]
pub struct Nft {
    pub name: StorageString,
    pub symbol: StorageString,
    owners: Mapping<U256, Address>,
    balances: Mapping<Address, U256>,
    approvals: Mapping<U256, Address>,
    #[public(name = "isApprovedForAll")]
    operators: Mapping<Address, Mapping<Address, bool>>,
}

#[contract]
impl Nft {
    #[constructor]
    pub fn constructor(&mut self, name: String, symbol: String) {
        self.name.set(&name);
        self.symbol.set(&symbol);
    }

    #[pure]
    pub fn supports_interface(&self, id: [u8; 4]) -> bool {
        matches!(id, [0x01, 0xff, 0xc9, 0xa7] | [0x80, 0xac, 0x58, 0xcd])
    }

    #[view]
    pub fn balance_of(&self, owner: Address) -> Result<U256, ERC721InvalidOwner> {
        (!owner.is_zero()).then(|| self.balances.get(&owner)).ok_or(ERC721InvalidOwner { owner })
    }

    #[view]
    pub fn owner_of(&self, token_id: U256) -> Result<Address, ERC721NonexistentToken> {
        let owner = self.owners.get(&token_id);
        (!owner.is_zero()).then_some(owner).ok_or(ERC721NonexistentToken { token_id })
    }

    #[view]
    pub fn get_approved(&self, token_id: U256) -> Result<Address, ERC721NonexistentToken> {
        self.owner_of(token_id)?;
        Ok(self.approvals.get(&token_id))
    }

    pub fn approve(&mut self, to: Address, token_id: U256) -> Result<(), Revert> {
        let (owner, sender) = (self.owner_of(token_id)?, msg::sender());
        require!(sender == owner || self.operators.at(&owner).get(&sender), ERC721InvalidApprover { approver: sender });
        self.approvals.set(&token_id, to);
        Approval { owner, approved: to, token_id }.emit();
        Ok(())
    }

    pub fn set_approval_for_all(&mut self, operator: Address, approved: bool) {
        require!(!operator.is_zero(), ERC721InvalidOperator { operator });
        self.operators.at_mut(&msg::sender()).set(&operator, approved);
        ApprovalForAll { owner: msg::sender(), operator, approved }.emit();
    }

    pub fn transfer_from(&mut self, from: Address, to: Address, token_id: U256) -> Result<(), Revert> {
        require!(!to.is_zero(), ERC721InvalidReceiver { receiver: to });
        let (owner, sender) = (self.owners.get(&token_id), msg::sender());
        if sender != owner && !self.operators.at(&owner).get(&sender) && self.approvals.get(&token_id) != sender {
            if owner.is_zero() {
                return Err(ERC721NonexistentToken { token_id }.into());
            }
            return Err(ERC721InsufficientApproval { operator: sender, token_id }.into());
        }
        require!(owner == from, ERC721IncorrectOwner { sender: from, token_id, owner });
        self.approvals.set(&token_id, Address::ZERO);
        self.balances.set(&from, self.balances.get(&from) - U256::ONE);
        self.balances.set(&to, self.balances.get(&to) + U256::ONE);
        self.owners.set(&token_id, to);
        Transfer { from, to, token_id }.emit();
        Ok(())
    }

    #[selector(name = "safeTransferFrom")]
    pub fn safe_transfer(&mut self, from: Address, to: Address, token_id: U256) -> Result<(), Revert> {
        self.safe_transfer_from(from, to, token_id, Vec::new())
    }

    pub fn safe_transfer_from(
        &mut self,
        from: Address,
        to: Address,
        token_id: U256,
        data: Vec<u8>,
    ) -> Result<(), Revert> {
        self.transfer_from(from, to, token_id)?;
        if ext_code_size(&to) == 0 {
            return Ok(());
        }
        match IERC721Receiver::new(to).on_erc721_received(msg::sender(), from, token_id, data) {
            Ok(reply) if reply == zkos_sdk::selector!("onERC721Received(address,address,uint256,bytes)") => Ok(()),
            Err(reason) if !reason.0.is_empty() => Err(reason),
            _ => Err(ERC721InvalidReceiver { receiver: to }.into()),
        }
    }

    pub fn mint(&mut self, to: Address, token_id: U256) {
        require!(!to.is_zero(), ERC721InvalidReceiver { receiver: to });
        require!(self.owners.get(&token_id).is_zero(), ERC721InvalidSender { sender: Address::ZERO });
        self.balances.set(&to, self.balances.get(&to) + U256::ONE);
        self.owners.set(&token_id, to);
        Transfer { from: Address::ZERO, to, token_id }.emit();
    }
}
