mod common;
use common::*;

#[test]
fn add_and_return() {
    let code = Evm::new().pushn(2).pushn(3).op(op::ADD).ret_top().build();
    let r = run(&code, &[], 1_000_000);
    assert_eq!(r.output(), &word(U256::from(5))[..]);
    // PUSH1 PUSH1 ADD PUSH0 MSTORE(+3 memory) PUSH1 PUSH0 RETURN
    assert_eq!(r.used(1_000_000), 3 + 3 + 3 + 2 + 3 + 3 + 3 + 2);
}
