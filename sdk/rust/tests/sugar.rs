//! The shorthand of `#[contract]`: `pub` fields as public state variables, `#[pure]`
//! functions, and `require!` with a custom error, on the SDK's test double and in the
//! embedded ABI.

use zkos_sdk::mock::{self, Outcome};
use zkos_sdk::prelude::*;

sol! {
    error Short(uint256 have, uint256 want);
}

#[contract]
pub struct Sugar {
    pub total_count: U256,
    pub seen: Mapping<Address, bool>,
    hidden: U256,
}

#[contract]
impl Sugar {
    #[pure]
    pub fn answer(&self) -> u8 {
        42
    }

    pub fn spend(&mut self, want: U256) {
        let have = self.total_count.get();
        require!(have >= want, Short { have, want });
        self.total_count.set(have - want);
        self.hidden.set(want);
    }

    pub fn fill(&mut self, n: U256) {
        self.total_count.set(n);
        self.seen.set(&msg::sender(), true);
    }
}

fn sel(sig: &str) -> Vec<u8> {
    zkos_sdk::keccak256(sig.as_bytes())[..4].to_vec()
}

fn call(input: Vec<u8>) -> Outcome<()> {
    mock::with_env(|e| e.calldata = input);
    mock::run(|| Sugar::__zkos_call())
}

fn word(v: u64) -> Vec<u8> {
    U256::from(v).to_be_bytes::<32>().to_vec()
}

#[test]
fn pub_fields_pure_and_require() {
    mock::reset();
    // `pub` fields have getters named in camelCase; the private one has none.
    assert_eq!(Sugar::GETTERS, &["totalCount()", "seen(address)"]);
    assert_eq!(call(sel("hidden()")), Outcome::Reverted(vec![]));
    assert_eq!(call([sel("fill(uint256)"), word(5)].concat()), Outcome::Finished(vec![]));
    assert_eq!(call(sel("totalCount()")), Outcome::Finished(word(5)));
    assert_eq!(call(sel("answer()")), Outcome::Finished(word(42)));
    // `require!` reverts with the error's data and changes nothing.
    let short = [sel("Short(uint256,uint256)"), word(5), word(9)].concat();
    assert_eq!(call([sel("spend(uint256)"), word(9)].concat()), Outcome::Reverted(short));
    assert_eq!(call([sel("spend(uint256)"), word(2)].concat()), Outcome::Finished(vec![]));
    assert_eq!(call(sel("totalCount()")), Outcome::Finished(word(3)));
    // The ABI: `answer` is pure, the getters view, and the error `require!` names is listed.
    let abi = Sugar::ABI_JSON;
    assert!(
        abi.contains(
            r#""name":"answer","outputs":[{"internalType":"uint8","name":"","type":"uint8"}],"stateMutability":"pure""#
        ),
        "{abi}"
    );
    assert!(abi.contains(r#""name":"totalCount","outputs":[{"internalType":"uint256","name":"","type":"uint256"}],"stateMutability":"view""#), "{abi}");
    assert!(abi.contains(r#""name":"Short","type":"error""#), "{abi}");
    assert!(!abi.contains("hidden"), "{abi}");
}
