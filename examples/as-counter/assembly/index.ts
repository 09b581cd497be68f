// as-counter: the counter example (examples/counter) written in AssemblyScript with the
// zkos AssemblyScript SDK's contract model (`@contract`, compiled with the SDK's
// compile.sh, which runs its transform). Same ABI and storage as the Rust counter:
//
// - storage: slot 0 holds the count (uint256);
// - the constructor: calldata `abi.encode(uint256 initial)` sets the count; empty calldata
//   sets 0; 1 to 31 bytes revert with empty data. The argument is optional (the Rust
//   counter's convention), so the constructor reads its calldata itself and the embedded
//   ABI lists `constructor()`;
// - `increment()` (0xd09de08a): count += 1, logs `Incremented(address indexed by, uint256
//   value)`, empty output; at 2^256 - 1 reverts with Panic(0x11);
// - `get()` (0x6d4ce63c): returns the count;
// - short calldata, unknown selectors and any value sent revert with empty data.

import { Address, calldata, msg, revertEmpty, U256 } from "../../../sdk/assemblyscript/assembly/index";

@event class Incremented { @indexed by: Address; value: U256; }

@contract
class Counter {
  count: U256;

  @constructor
  init(): void {
    const args = calldata();
    if (args.length == 0) return;
    if (args.length < 32) revertEmpty();
    this.count.set(U256.fromWord(args));
  }

  increment(): void {
    const next = this.count.get() + U256.fromU64(1);
    this.count.set(next);
    new Incremented(msg.sender(), next).emit();
  }

  @view
  get(): U256 {
    return this.count.get();
  }
}
