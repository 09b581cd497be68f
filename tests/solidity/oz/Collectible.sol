// SPDX-License-Identifier: MIT
// An OpenZeppelin ERC721 with owner mint and holder burn, a receiver contract that accepts
// tokens, one that refuses them with its own error, and one that is no receiver at all
// (differential tests against revm, node/tests/solidity_vs_revm.rs).
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

contract Collectible is ERC721, Ownable {
    uint256 public minted;

    constructor(address owner) ERC721("Zk Collectible", "ZKC") Ownable(owner) {}

    /// Mints the next id to `to` (checking a contract recipient accepts it); returns the id.
    function mint(address to) external onlyOwner returns (uint256 id) {
        id = ++minted;
        _safeMint(to, id);
    }

    /// Burns a token its holder (or an approved operator) owns.
    function burn(uint256 id) external {
        _update(address(0), id, msg.sender);
    }

    function _baseURI() internal pure override returns (string memory) {
        return "zkos://collectible/";
    }
}

/// Accepts every token and remembers the last one.
contract Receiver is IERC721Receiver {
    event Received(address operator, address from, uint256 id, bytes data);

    uint256 public count;
    uint256 public lastId;
    bytes public lastData;

    function onERC721Received(address operator, address from, uint256 id, bytes calldata data)
        external
        returns (bytes4)
    {
        count++;
        lastId = id;
        lastData = data;
        emit Received(operator, from, id, data);
        return IERC721Receiver.onERC721Received.selector;
    }

    /// Sends a token it holds on, safely.
    function forward(address token, address to, uint256 id) external {
        IERC721(token).safeTransferFrom(address(this), to, id);
    }
}

/// Refuses tokens with an error of its own, which the token passes on unchanged.
contract Refuser is IERC721Receiver {
    error NotAccepted(uint256 id, address from);

    function onERC721Received(address, address from, uint256 id, bytes calldata) external pure returns (bytes4) {
        revert NotAccepted(id, from);
    }
}

/// Answers with the wrong magic value.
contract WrongAnswer {
    function onERC721Received(address, address, uint256, bytes calldata) external pure returns (bytes4) {
        return 0xdeadbeef;
    }
}

/// Has no onERC721Received at all.
contract NotReceiver {
    uint256 public dummy = 1;
}
