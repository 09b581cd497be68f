// The AssemblyScript twin of Packed.sol (tests/tests/as_contracts.rs): the transform packs
// `owner`, `flag` and `small` into slot 0 as solc does; constructor arguments; a view.

import { Address, Mapping, msg, U256 } from "../../assembly/contract";

@contract
class Packed {
  @getter owner: Address;
  @getter flag: bool;
  @getter small: u32;
  @getter total: U256;
  @getter count: u64;
  @getter seen: Mapping<u64, bool>;

  @constructor
  init(start: u64): void {
    this.count.set(start);
    this.owner.set(msg.sender());
  }

  configure(newOwner: Address, f: bool, s: u32): void {
    this.owner.set(newOwner);
    this.flag.set(f);
    this.small.set(s);
  }

  bump(by: u64): u64 {
    const c = this.count.get() + by;
    this.count.set(c);
    this.seen.set(c, true);
    this.total.set(this.total.get() + U256.fromU64(by));
    return c;
  }

  @view
  isOwner(who: Address): bool {
    return who == this.owner.get();
  }
}
