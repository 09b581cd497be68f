// SPDX-License-Identifier: MIT
// An OpenZeppelin ERC1155 with owner mints, single and batch (the kernel's token block,
// node/tests/kernel_tokens.rs).
pragma solidity ^0.8.24;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

contract Multi is ERC1155, Ownable {
    constructor(address owner) ERC1155("zkos://multi/{id}.json") Ownable(owner) {}

    function mint(address to, uint256 id, uint256 amount) external onlyOwner {
        _mint(to, id, amount, "");
    }

    function mintBatch(address to, uint256[] calldata ids, uint256[] calldata amounts) external onlyOwner {
        _mintBatch(to, ids, amounts, "");
    }
}
