// as-vault: the vault (examples/vault, Solidity twin examples/vault/Vault.sol) in
// AssemblyScript with the SDK's contract model: same storage layout, ABI, events and error.
// Storage: slot 0 `mapping(address => uint256) balanceOf`, slot 1 `uint256 totalDeposits`.

import { Address, Mapping, msg, transferEth, U256 } from "../../../sdk/assemblyscript/assembly/contract";

@event class Deposited { @indexed who: Address; amount: U256; }
@event class Withdrawn { @indexed who: Address; amount: U256; }
@error class InsufficientBalance { available: U256; requested: U256; }

@contract
class Vault {
  @getter("balanceOf") balances: Mapping<Address, U256>;
  @getter totalDeposits: U256;

  @payable
  deposit(): void {
    const who = msg.sender(), amount = msg.value();
    this.balances.set(who, this.balances.get(who) + amount);
    this.totalDeposits.set(this.totalDeposits.get() + amount);
    new Deposited(who, amount).emit();
  }

  withdraw(amount: U256): void {
    const who = msg.sender();
    const available = this.balances.get(who);
    if (available < amount) new InsufficientBalance(available, amount).revert();
    this.balances.set(who, available - amount);
    this.totalDeposits.set(this.totalDeposits.get() - amount);
    transferEth(who, amount);
    new Withdrawn(who, amount).emit();
  }
}
