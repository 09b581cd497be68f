//! The harness with value: examples/vault (payable deposits, withdrawals that send ether
//! back, a custom error), built for wasm32 by the harness; balances are exact because gas
//! costs nothing in the harness's chain.

use alloy_sol_types::sol;
use zkos_test::{address_word, mapping_slot, Address, Vm, ALICE, BOB, CAROL, U256};

sol! {
    function deposit() external payable;
    function withdraw(uint256 amount) external;
    function balanceOf(address who) external view returns (uint256);
    function totalDeposits() external view returns (uint256);
    event Deposited(address indexed who, uint256 amount);
    event Withdrawn(address indexed who, uint256 amount);
    error InsufficientBalance(uint256 available, uint256 requested);
}

fn vault(vm: &mut Vm) -> Address {
    let wasm = zkos_test::build::contract_wasm(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/vault"));
    vm.deploy(&wasm, &[])
}

#[test]
fn deposits_and_withdrawals_move_exact_ether() {
    let mut vm = Vm::new();
    let v = vault(&mut vm);
    let start = vm.balance(BOB);
    let out = vm.prank(BOB).send(v, &depositCall {}, U256::from(1000));
    out.expect_emit(v, &Deposited { who: BOB, amount: U256::from(1000) });
    let got: Vec<(Address, U256)> = out.events::<Deposited>(v).iter().map(|e| (e.who, e.amount)).collect();
    assert_eq!(got, [(BOB, U256::from(1000))]);
    assert_eq!(vm.balance(v), U256::from(1000));
    assert_eq!(vm.balance(BOB), start - U256::from(1000));
    assert_eq!(vm.storage(v, mapping_slot(address_word(BOB), U256::ZERO)), U256::from(1000));
    assert_eq!(vm.storage(v, U256::from(1)), U256::from(1000));

    // Too much: the custom error, decoded.
    vm.set_sender(BOB);
    let err = vm.send(v, &withdrawCall { amount: U256::from(1001) }, U256::ZERO).revert_as::<InsufficientBalance>();
    assert_eq!((err.available, err.requested), (U256::from(1000), U256::from(1001)));
    let out = vm.send(v, &withdrawCall { amount: U256::from(400) }, U256::ZERO);
    out.expect_emit(v, &Withdrawn { who: BOB, amount: U256::from(400) });
    assert_eq!(vm.balance(BOB), start - U256::from(600));
    assert_eq!(vm.call(v, &balanceOfCall { who: BOB }), U256::from(600));
    // Value to a function that is not payable: reverted, the ether stays with the sender.
    vm.send(v, &withdrawCall { amount: U256::from(1) }, U256::from(5)).expect_revert_data(&[]);
    assert_eq!(vm.balance(BOB), start - U256::from(600));
    assert_eq!(vm.nonce(BOB), 5);
}

#[test]
fn deal_prank_roll_and_warp() {
    let mut vm = Vm::new();
    let v = vault(&mut vm);
    let dave = Address::repeat_byte(0xDA);
    assert_eq!(vm.balance(dave), U256::ZERO);
    vm.deal(dave, U256::from(50));
    vm.prank(dave).send(v, &depositCall {}, U256::from(50)).ok();
    assert_eq!(vm.balance(dave), U256::ZERO);
    // The prank lasted one transaction: the next one is ALICE's again.
    vm.send(v, &depositCall {}, U256::from(7)).ok();
    assert_eq!(vm.call(v, &balanceOfCall { who: ALICE }), U256::from(7));
    assert_eq!(vm.call(v, &balanceOfCall { who: CAROL }), U256::ZERO);
    vm.roll(1000);
    vm.warp(1_900_000_000);
    assert_eq!(vm.block(), (1000, 1_900_000_000));
    vm.send(v, &totalDepositsCall {}, U256::ZERO).ok();
    assert_eq!(vm.block(), (1001, 1_900_000_012), "each transaction is a block of its own");
    // A deployment with value: the vault has no payable constructor, so it reverts.
    let wasm = zkos_test::build::contract_wasm(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/vault"));
    let out = vm.try_deploy(&wasm, &[], U256::from(1));
    assert!(!out.success && out.created.is_none(), "{}", out.why());
}

#[test]
fn wrong_expectations_fail() {
    let mut vm = Vm::new();
    let v = vault(&mut vm);
    let ok = vm.send(v, &depositCall {}, U256::from(3));
    let fails = |f: &dyn Fn()| std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err();
    assert!(fails(&|| ok.expect_revert_data(&[])), "a success is not a revert");
    assert!(fails(&|| ok.expect_emit(v, &Deposited { who: ALICE, amount: U256::from(4) })), "another amount");
    assert!(fails(&|| ok.expect_emit(BOB, &Deposited { who: ALICE, amount: U256::from(3) })), "another emitter");
    let err = vm.send(v, &withdrawCall { amount: U256::from(4) }, U256::ZERO);
    let other = InsufficientBalance { available: U256::from(3), requested: U256::from(5) };
    assert!(fails(&|| err.expect_revert(&other)), "other fields");
    assert!(
        fails(&|| {
            err.returns::<withdrawCall>();
        }),
        "a revert has no return value"
    );
    err.expect_revert(&InsufficientBalance { available: U256::from(3), requested: U256::from(4) });
}
