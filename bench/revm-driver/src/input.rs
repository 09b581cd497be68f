//! The input the driver writes (`bench/driver/src/evm/`): one byte string, little-endian
//! integers, 256-bit values as 32 big-endian bytes.
//!
//! ```text
//! osaka u8 | chain_id u64
//! block:   number u64 | timestamp u64 | gas_limit u64 | base_fee u64 | coinbase [20] | prev_randao [32]
//! n u32, n accounts: address [20] | balance [32] | nonce u64 | code (len u32, bytes)
//!                    | m u32, m slots: key [32] | value [32]
//! tx:      caller [20] | has_to u8 | to [20] | value [32] | gas_limit u64 | gas_price u128
//!          | nonce u64 | data (len u32, bytes)
//! ```

use alloc::vec::Vec;

use revm::primitives::{Address, B256, U256};

/// The block's fields revm reads.
pub struct Block {
    pub number: u64,
    pub timestamp: u64,
    pub gas_limit: u64,
    pub base_fee: u64,
    pub coinbase: Address,
    pub prev_randao: B256,
}

/// One pre-state account.
pub struct Account {
    pub address: Address,
    pub balance: U256,
    pub nonce: u64,
    pub code: Vec<u8>,
    pub storage: Vec<(U256, U256)>,
}

/// The transaction (legacy form: one gas price).
pub struct Tx {
    pub caller: Address,
    pub to: Option<Address>,
    pub value: U256,
    pub gas_limit: u64,
    pub gas_price: u128,
    pub nonce: u64,
    pub data: Vec<u8>,
}

/// The whole input.
pub struct Input {
    pub osaka: bool,
    pub chain_id: u64,
    pub block: Block,
    pub accounts: Vec<Account>,
    pub tx: Tx,
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.array::<1>()?[0])
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.array()?))
    }

    fn u128(&mut self) -> Option<u128> {
        Some(u128::from_le_bytes(self.array()?))
    }

    fn address(&mut self) -> Option<Address> {
        Some(Address::from(self.array::<20>()?))
    }

    fn word(&mut self) -> Option<U256> {
        Some(U256::from_be_bytes(self.array::<32>()?))
    }

    fn bytes(&mut self) -> Option<Vec<u8>> {
        let n = self.u32()? as usize;
        Some(self.take(n)?.to_vec())
    }

    /// A count of items each at least `min` bytes long, checked against what is left.
    fn count(&mut self, min: usize) -> Option<usize> {
        let n = self.u32()? as usize;
        (n.checked_mul(min)? <= self.0.len()).then_some(n)
    }
}

/// Reads the input; `None` if it is cut short, has trailing bytes or a flag out of range.
pub fn parse(bytes: &[u8]) -> Option<Input> {
    let mut r = Reader(bytes);
    let osaka = match r.u8()? {
        0 => false,
        1 => true,
        _ => return None,
    };
    let chain_id = r.u64()?;
    let block = Block {
        number: r.u64()?,
        timestamp: r.u64()?,
        gas_limit: r.u64()?,
        base_fee: r.u64()?,
        coinbase: r.address()?,
        prev_randao: B256::from(r.array::<32>()?),
    };
    let n = r.count(20 + 32 + 8 + 4 + 4)?;
    let mut accounts = Vec::with_capacity(n);
    for _ in 0..n {
        let address = r.address()?;
        let balance = r.word()?;
        let nonce = r.u64()?;
        let code = r.bytes()?;
        let m = r.count(64)?;
        let mut storage = Vec::with_capacity(m);
        for _ in 0..m {
            storage.push((r.word()?, r.word()?));
        }
        accounts.push(Account { address, balance, nonce, code, storage });
    }
    let caller = r.address()?;
    let has_to = r.u8()?;
    let to = r.address()?;
    let to = match has_to {
        0 => None,
        1 => Some(to),
        _ => return None,
    };
    let tx = Tx {
        caller,
        to,
        value: r.word()?,
        gas_limit: r.u64()?,
        gas_price: r.u128()?,
        nonce: r.u64()?,
        data: r.bytes()?,
    };
    r.0.is_empty().then_some(Input { osaka, chain_id, block, accounts, tx })
}
