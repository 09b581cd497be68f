//! The fork schedule: which Ethereum rules apply, as data.
//!
//! Every rule that differs between forks asks the block's [`Fork`] through one of the
//! methods below (named after what the rule does, with its EIP), never by comparing fork
//! names at the place it is used. A new fork is a new variant and a row in each method it
//! changes. Forks are ordered: a later fork keeps the rules of the earlier ones unless a
//! method says otherwise.
//!
//! [`Schedule`] maps a block's timestamp to its fork, for chains that change fork at a time
//! (the blockchain tests' `CancunToPragueAtTime15k` networks).

use core::fmt;

/// An Ethereum fork zkos implements, in the order they activated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Fork {
    /// Dencun's execution layer (March 2024): blobs, transient storage, MCOPY.
    Cancun,
    /// Pectra's execution layer (May 2025): set-code transactions, BLS12-381, requests.
    Prague,
    /// Fusaka's execution layer (December 2025): CLZ, secp256r1, modexp bounds, gas caps.
    #[default]
    Osaka,
    /// The first blob-parameter-only fork after Osaka.
    Bpo1,
    /// The second blob-parameter-only fork.
    Bpo2,
    /// The third blob-parameter-only fork (test networks).
    Bpo3,
    /// The fourth blob-parameter-only fork (test networks).
    Bpo4,
}

/// EIP-4844's blob parameters as a fork sets them (EIP-7691 for Prague, EIP-7892 for the
/// blob-parameter-only forks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlobParams {
    /// Blobs per block the base fee aims at.
    pub target: u64,
    /// Most blobs in one block.
    pub max: u64,
    /// How fast the blob base fee follows the excess blob gas.
    pub update_fraction: u64,
}

/// Gas of one blob (EIP-4844), in every fork.
pub const GAS_PER_BLOB: u64 = 1 << 17;

/// EIP-7918 (Osaka+): the execution gas whose price bounds a blob's base fee from below.
pub const BLOB_BASE_COST: u64 = 1 << 13;

impl BlobParams {
    /// The blob gas a block aims at.
    pub const fn target_gas(&self) -> u64 {
        self.target * GAS_PER_BLOB
    }

    /// The most blob gas one block may use.
    pub const fn max_gas(&self) -> u64 {
        self.max * GAS_PER_BLOB
    }
}

impl Fork {
    /// Every fork, oldest first.
    pub const ALL: [Fork; 7] =
        [Fork::Cancun, Fork::Prague, Fork::Osaka, Fork::Bpo1, Fork::Bpo2, Fork::Bpo3, Fork::Bpo4];

    /// The fork of mainnet today, the default of every command.
    pub const LATEST: Fork = Fork::Osaka;

    /// The fork's name as the test fixtures and `--fork` spell it.
    pub const fn name(self) -> &'static str {
        match self {
            Fork::Cancun => "Cancun",
            Fork::Prague => "Prague",
            Fork::Osaka => "Osaka",
            Fork::Bpo1 => "BPO1",
            Fork::Bpo2 => "BPO2",
            Fork::Bpo3 => "BPO3",
            Fork::Bpo4 => "BPO4",
        }
    }

    /// The fork named `name` (case does not matter), or `None`.
    pub fn parse(name: &str) -> Option<Fork> {
        Fork::ALL.into_iter().find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// The names of every fork, for messages.
    pub fn names() -> impl Iterator<Item = &'static str> {
        Fork::ALL.into_iter().map(Fork::name)
    }

    /// EIP-4844 blob parameters (EIP-7691 raises them in Prague, the BPO forks after).
    pub const fn blob_params(self) -> BlobParams {
        let (target, max, update_fraction) = match self {
            Fork::Cancun => (3, 6, 3_338_477),
            Fork::Prague | Fork::Osaka => (6, 9, 5_007_716),
            Fork::Bpo1 => (10, 15, 8_346_193),
            Fork::Bpo2 => (14, 21, 11_684_671),
            Fork::Bpo3 => (21, 32, 20_609_697),
            Fork::Bpo4 => (14, 21, 13_739_630),
        };
        BlobParams { target, max, update_fraction }
    }

    /// Most blobs in one transaction: the block's maximum until EIP-7594 (Osaka) caps it.
    pub const fn max_blobs_per_tx(self) -> u64 {
        if self.is_at_least(Fork::Osaka) {
            6
        } else {
            self.blob_params().max
        }
    }

    /// Whether this fork is `other` or a later one.
    pub const fn is_at_least(self, other: Fork) -> bool {
        self as u8 >= other as u8
    }

    /// EIP-7702: set-code transactions (type 4) and delegated code.
    pub const fn set_code_transactions(self) -> bool {
        self.is_at_least(Fork::Prague)
    }

    /// EIP-2537: the BLS12-381 precompiles at 0x0b–0x11.
    pub const fn bls12_381_precompiles(self) -> bool {
        self.is_at_least(Fork::Prague)
    }

    /// EIP-2935: block hashes kept in state by a system call before the transactions.
    pub const fn history_in_state(self) -> bool {
        self.is_at_least(Fork::Prague)
    }

    /// EIP-7623: the calldata floor on a transaction's gas.
    pub const fn calldata_floor(self) -> bool {
        self.is_at_least(Fork::Prague)
    }

    /// EIP-7685 with EIP-6110, EIP-7002 and EIP-7251: execution-layer requests and the
    /// header's requests hash.
    pub const fn requests(self) -> bool {
        self.is_at_least(Fork::Prague)
    }

    /// EIP-7939: the CLZ opcode (0x1e).
    pub const fn clz(self) -> bool {
        self.is_at_least(Fork::Osaka)
    }

    /// The EVM opcodes the transpiler accepts under this fork.
    pub const fn evm_rules(self) -> evm_to_wasm::Rules {
        evm_to_wasm::Rules { clz: self.clz() }
    }

    /// EIP-7951: secp256r1 signature verification at 0x100.
    pub const fn p256_verify(self) -> bool {
        self.is_at_least(Fork::Osaka)
    }

    /// zkos's own precompiles (host-abi's `ZKOS_PRECOMPILES`: Poseidon at 0x5a00): on every
    /// fork, a zkos extension at addresses no Ethereum fork uses and no Ethereum test touches.
    pub const fn zkos_precompiles(self) -> bool {
        true
    }

    /// EIP-7823 and EIP-7883: modexp inputs bounded to 1024 bytes and its new gas.
    pub const fn modexp_bounds(self) -> bool {
        self.is_at_least(Fork::Osaka)
    }

    /// EIP-7825: the most gas one transaction may ask for, if capped.
    pub const fn tx_gas_cap(self) -> Option<u64> {
        if self.is_at_least(Fork::Osaka) {
            Some(1 << 24)
        } else {
            None
        }
    }

    /// EIP-7918: the blob base fee is bounded below by the execution base fee.
    pub const fn blob_reserve_price(self) -> bool {
        self.is_at_least(Fork::Osaka)
    }

    /// EIP-4844's excess blob gas of a block whose parent had `parent_excess` excess blob
    /// gas, used `parent_used` blob gas and paid `parent_base_fee` per gas, with this fork's
    /// blob parameters; from Osaka on EIP-7918's reserve price: while the blob base fee is
    /// below [`BLOB_BASE_COST`] execution gas at the base fee, the excess only grows.
    pub fn excess_blob_gas(self, parent_excess: u64, parent_used: u64, parent_base_fee: u64) -> u64 {
        let params = self.blob_params();
        let parent_blob_gas = parent_excess.saturating_add(parent_used);
        if parent_blob_gas < params.target_gas() {
            return 0;
        }
        if self.blob_reserve_price() {
            let reserve = alloy_primitives::U256::from(BLOB_BASE_COST) * alloy_primitives::U256::from(parent_base_fee);
            // A blob price of 2^256 or more (`None`) is above every reserve price.
            let below = crate::env::fake_exponential(1, parent_excess, params.update_fraction)
                .and_then(|fee| fee.checked_mul(alloy_primitives::U256::from(GAS_PER_BLOB)))
                .is_some_and(|price| reserve > price);
            if below {
                let delta = u128::from(parent_used) * u128::from(params.max - params.target) / u128::from(params.max);
                return parent_excess.saturating_add(u64::try_from(delta).unwrap_or(u64::MAX));
            }
        }
        parent_blob_gas - params.target_gas()
    }

    /// EIP-7934: the most bytes a block's RLP may have, if capped.
    pub const fn max_block_rlp_size(self) -> Option<usize> {
        if self.is_at_least(Fork::Osaka) {
            // 10 MiB less a 2 MiB margin for the consensus layer's envelope.
            Some(10_485_760 - 2_097_152)
        } else {
            None
        }
    }
}

impl fmt::Display for Fork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which fork a block follows, by its timestamp: one fork, or one until a time and another
/// from it on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// The fork before the transition (or always, without one).
    pub first: Fork,
    /// The transition: from this timestamp on, this fork.
    pub then: Option<(u64, Fork)>,
}

impl Schedule {
    /// A chain that follows one fork.
    pub const fn fixed(fork: Fork) -> Self {
        Self { first: fork, then: None }
    }

    /// The fork of a block with this timestamp.
    pub const fn at(&self, timestamp: u64) -> Fork {
        match self.then {
            Some((time, fork)) if timestamp >= time => fork,
            _ => self.first,
        }
    }

    /// A network as the fixtures name it: a fork (`Prague`) or a transition
    /// (`CancunToPragueAtTime15k`: Cancun before timestamp 15,000, Prague from it on).
    pub fn parse(network: &str) -> Option<Self> {
        if let Some(fork) = Fork::parse(network) {
            return Some(Self::fixed(fork));
        }
        let (first, rest) = network.split_once("To")?;
        let (then, time) = rest.split_once("AtTime")?;
        let time = match time.strip_suffix('k') {
            Some(thousands) => thousands.parse::<u64>().ok()?.checked_mul(1000)?,
            None => time.parse().ok()?,
        };
        let (first, then) = (Fork::parse(first)?, Fork::parse(then)?);
        (first < then).then_some(Self { first, then: Some((time, then)) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_order() {
        for fork in Fork::ALL {
            assert_eq!(Fork::parse(fork.name()), Some(fork));
            assert_eq!(Fork::parse(&fork.name().to_ascii_lowercase()), Some(fork));
        }
        assert_eq!(Fork::parse("Shanghai"), None);
        assert!(Fork::ALL.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(Fork::default(), Fork::LATEST);
    }

    /// The blob schedule of the execution-spec-tests fixtures' `config.blobSchedule`.
    #[test]
    fn blob_parameters_match_the_fixtures() {
        let p = |f: Fork| {
            let b = f.blob_params();
            (b.target, b.max, b.update_fraction)
        };
        assert_eq!(p(Fork::Cancun), (3, 6, 0x32f0ed));
        assert_eq!(p(Fork::Prague), (6, 9, 0x4c6964));
        assert_eq!(p(Fork::Osaka), (6, 9, 0x4c6964));
        assert_eq!(p(Fork::Bpo1), (10, 15, 0x7f5a51));
        assert_eq!(p(Fork::Bpo2), (14, 21, 0xb24b3f));
        assert_eq!(p(Fork::Bpo3), (21, 32, 20_609_697));
        assert_eq!(p(Fork::Bpo4), (14, 21, 13_739_630));
        assert_eq!((Fork::Prague.max_blobs_per_tx(), Fork::Osaka.max_blobs_per_tx()), (9, 6));
    }

    #[test]
    fn rules_switch_on_at_their_fork() {
        assert!(!Fork::Cancun.set_code_transactions() && Fork::Prague.set_code_transactions());
        assert!(!Fork::Prague.clz() && Fork::Osaka.clz() && Fork::Bpo4.clz());
        assert_eq!(Fork::Prague.tx_gas_cap(), None);
        assert_eq!(Fork::Osaka.tx_gas_cap(), Some(16_777_216));
        assert_eq!(Fork::Osaka.max_block_rlp_size(), Some(8_388_608));
    }

    /// EIP-4844's excess blob gas with each fork's target, and EIP-7918's reserve price
    /// from Osaka on: a parent that used 6 blobs (786432 blob gas) at a blob base fee of 1
    /// wei under a 1 gwei base fee leaves 0 excess in Prague (at target) but grows it by
    /// 786432 × (9 − 6) / 9 = 262144 in Osaka, where 8192 × 10^9 > 131072 × 1.
    #[test]
    fn excess_blob_gas_per_fork() {
        assert_eq!(Fork::Cancun.excess_blob_gas(0x60000, 0x40000, 7), 0x60000 + 0x40000 - 393_216);
        assert_eq!(Fork::Prague.excess_blob_gas(0x60000, 0x40000, 7), 0);
        assert_eq!(Fork::Prague.excess_blob_gas(0, 786_432, 1_000_000_000), 0);
        assert_eq!(Fork::Osaka.excess_blob_gas(0, 786_432, 1_000_000_000), 262_144);
        // With a base fee of 7 wei the reserve (8192 × 7) is below the blob price: no change.
        assert_eq!(Fork::Osaka.excess_blob_gas(0, 786_432, 7), 0);
        assert_eq!(Fork::Bpo1.excess_blob_gas(0, 786_432, 1_000_000_000), 0);
    }

    #[test]
    fn transition_networks() {
        let s = Schedule::parse("CancunToPragueAtTime15k").unwrap();
        assert_eq!((s.at(14_999), s.at(15_000)), (Fork::Cancun, Fork::Prague));
        assert_eq!(Schedule::parse("BPO3ToBPO4AtTime15k").unwrap().at(20_000), Fork::Bpo4);
        assert_eq!(Schedule::parse("Osaka"), Some(Schedule::fixed(Fork::Osaka)));
        for bad in ["", "PragueToCancunAtTime15k", "CancunToPragueAtTime", "CancunToPragueAtTimexk", "Frontier"] {
            assert_eq!(Schedule::parse(bad), None, "{bad}");
        }
    }
}
