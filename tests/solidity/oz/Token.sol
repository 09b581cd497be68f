// SPDX-License-Identifier: MIT
// An OpenZeppelin ERC20 whose owner mints, with EIP-2612 permits (signatures checked with
// the ecrecover precompile) (differential tests against revm, node/tests/solidity_vs_revm.rs).
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

contract Token is ERC20, ERC20Permit, Ownable {
    constructor(address owner, uint256 initialSupply) ERC20("Zk Token", "ZKT") ERC20Permit("Zk Token") Ownable(owner) {
        _mint(owner, initialSupply);
    }

    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }

    function burn(uint256 amount) external {
        _burn(msg.sender, amount);
    }

    /// Pays several recipients in one call; all or nothing.
    function batchTransfer(address[] calldata to, uint256[] calldata amounts) external returns (uint256 total) {
        require(to.length == amounts.length, "length mismatch");
        for (uint256 i = 0; i < to.length; i++) {
            _transfer(msg.sender, to[i], amounts[i]);
            total += amounts[i];
        }
    }
}
