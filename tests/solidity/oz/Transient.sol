// SPDX-License-Identifier: MIT
// Transient storage (EIP-1153): an ETH vault behind OpenZeppelin's ReentrancyGuardTransient
// with an attacker that tries to re-enter it, a `transient` state variable, and raw
// tstore/tload across call frames and reverts (differential tests against revm,
// node/tests/solidity_vs_revm.rs).
pragma solidity ^0.8.28;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

contract Vault is ReentrancyGuardTransient {
    error Insufficient(uint256 balance, uint256 wanted);
    error SendFailed(bytes reason);

    mapping(address => uint256) public balanceOf;

    event Deposit(address indexed who, uint256 amount);
    event Withdrawal(address indexed who, uint256 amount);

    function deposit() external payable nonReentrant {
        balanceOf[msg.sender] += msg.value;
        emit Deposit(msg.sender, msg.value);
    }

    /// Pays before it books (on purpose): only the guard stops a re-entrant drain.
    function withdraw(uint256 amount) external nonReentrant {
        uint256 balance = balanceOf[msg.sender];
        if (balance < amount) revert Insufficient(balance, amount);
        (bool ok, bytes memory reason) = msg.sender.call{value: amount}("");
        if (!ok) revert SendFailed(reason);
        balanceOf[msg.sender] = balance - amount;
        emit Withdrawal(msg.sender, amount);
    }

    function guarded() external view returns (bool) {
        return _reentrancyGuardEntered();
    }
}

contract Attacker {
    Vault public immutable vault;
    /// 0: accept the payment; 1: re-enter and let the failure bubble; 2: re-enter and swallow it.
    uint256 public mode;
    uint256 public reentries;
    bytes public lastError;
    bool public guardSeen;

    constructor(Vault v) {
        vault = v;
    }

    function attack(uint256 m, uint256 amount) external payable {
        mode = m;
        vault.deposit{value: msg.value}();
        vault.withdraw(amount);
    }

    receive() external payable {
        if (mode == 0) return;
        reentries++;
        guardSeen = vault.guarded();
        if (mode == 1) {
            vault.withdraw(msg.value);
        } else {
            try vault.withdraw(msg.value) {} catch (bytes memory err) {
                lastError = err;
            }
        }
    }
}

contract TransientCounter {
    error Boom(uint256 seen);

    uint256 transient calls;
    uint256 public lastSeen;
    uint256 public afterRevert;

    function bump() public returns (uint256) {
        calls += 1;
        lastSeen = calls;
        return calls;
    }

    function bumpTwice() external returns (uint256) {
        this.bump();
        return this.bump();
    }

    function peek() external view returns (uint256) {
        return calls;
    }

    function bumpThenFail() external {
        uint256 seen = this.bump();
        revert Boom(seen);
    }

    /// A reverted frame's transient writes are undone; the error still carries what it saw.
    function bumpInRevertedFrame() external returns (uint256 inside, uint256 outside) {
        this.bump();
        try this.bumpThenFail() {} catch (bytes memory err) {
            require(bytes4(err) == Boom.selector, "unexpected error");
            assembly {
                inside := mload(add(err, 36))
            }
        }
        outside = calls;
        afterRevert = outside;
    }

    // Raw slots: written here, read back by a callee that calls this contract again.
    function tset(bytes32 key, uint256 value) public {
        assembly {
            tstore(key, value)
        }
    }

    function tget(bytes32 key) public view returns (uint256 v) {
        assembly {
            v := tload(key)
        }
    }

    function roundTrip(bytes32 key, uint256 value, Echo echo) external returns (uint256) {
        tset(key, value);
        return echo.readBack(this, key);
    }
}

contract Echo {
    function readBack(TransientCounter c, bytes32 key) external view returns (uint256) {
        // Transient storage is per contract: this contract's own slot is empty.
        uint256 mine;
        assembly {
            mine := tload(key)
        }
        require(mine == 0, "transient storage leaked across contracts");
        return c.tget(key);
    }
}
