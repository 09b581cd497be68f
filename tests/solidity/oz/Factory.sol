// SPDX-License-Identifier: MIT
// CREATE2: a factory deploying children with `new C{salt: s}(args)` and with OpenZeppelin's
// Create2, predicting their addresses, failing on a reused salt and on a reverting
// constructor (differential tests against revm, node/tests/solidity_vs_revm.rs).
pragma solidity ^0.8.24;

import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";

contract Child {
    error TooBig(uint256 value, uint256 limit);

    address public immutable factory;
    address public owner;
    uint256 public value;

    event Set(uint256 from, uint256 to);

    constructor(address owner_, uint256 value_) payable {
        if (value_ > 1000) revert TooBig(value_, 1000);
        factory = msg.sender;
        owner = owner_;
        value = value_;
    }

    function set(uint256 v) external {
        require(msg.sender == owner, "not the owner");
        emit Set(value, v);
        value = v;
    }

    function balance() external view returns (uint256) {
        return address(this).balance;
    }
}

contract Factory {
    event Deployed(address child, bytes32 salt);

    address public last;
    uint256 public deployed;

    function initCode(address owner, uint256 value) public pure returns (bytes memory) {
        return abi.encodePacked(type(Child).creationCode, abi.encode(owner, value));
    }

    function predict(bytes32 salt, address owner, uint256 value) public view returns (address) {
        return Create2.computeAddress(salt, keccak256(initCode(owner, value)));
    }

    /// `new` with a salt; checks the prediction.
    function deploy(bytes32 salt, address owner, uint256 value) external payable returns (address child) {
        address predicted = predict(salt, owner, value);
        child = address(new Child{salt: salt, value: msg.value}(owner, value));
        require(child == predicted, "prediction is wrong");
        last = child;
        deployed++;
        emit Deployed(child, salt);
    }

    /// OpenZeppelin's Create2.deploy (reverts with Errors.FailedDeployment on a reused salt).
    function deployRaw(bytes32 salt, address owner, uint256 value) external payable returns (address child) {
        child = Create2.deploy(msg.value, salt, initCode(owner, value));
        last = child;
        deployed++;
        emit Deployed(child, salt);
    }

    /// Tries twice with the same salt in one call: the second attempt fails, the first stays.
    function deployTwice(bytes32 salt, address owner) external returns (address first, bool secondOk) {
        first = address(new Child{salt: salt}(owner, 1));
        try new Child{salt: salt}(owner, 1) returns (Child) {
            secondOk = true;
        } catch {
            secondOk = false;
        }
        deployed++;
    }
}
