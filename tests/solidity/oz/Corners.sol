// SPDX-License-Identifier: MIT
// Corners of the EVM that a transpiler can get wrong, reached from Solidity: the block and
// transaction environment, precompiles, gas stipends and explicit call gas, static-call
// violations, call depth, SELFDESTRUCT under EIP-6780, code introspection (EXTCODESIZE,
// EXTCODEHASH, EXTCODECOPY of transpiled code), memory growth, exceptional halts, and
// DELEGATECALL through an OpenZeppelin ERC1967 proxy (differential tests against revm,
// node/tests/solidity_vs_revm.rs).
pragma solidity ^0.8.28;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

contract Environment {
    function info()
        external
        view
        returns (
            uint256 number,
            uint256 timestamp,
            uint256 basefee,
            uint256 chainid,
            address coinbase,
            uint256 prevrandao,
            uint256 gasprice,
            address origin,
            uint256 gaslimit,
            uint256 blobbasefee,
            bytes32 parentHash
        )
    {
        return (
            block.number,
            block.timestamp,
            block.basefee,
            block.chainid,
            block.coinbase,
            block.prevrandao,
            tx.gasprice,
            tx.origin,
            block.gaslimit,
            block.blobbasefee,
            blockhash(block.number - 1)
        );
    }

    function balances(address who) external payable returns (uint256 mine, uint256 theirs, uint256 value) {
        return (address(this).balance, who.balance, msg.value);
    }

    function gasLeft() external view returns (uint256) {
        return gasleft();
    }
}

contract Precompiles {
    function hashes(bytes calldata data) external view returns (bytes32 sha, bytes20 ripe, bytes memory same) {
        sha = sha256(data);
        ripe = ripemd160(data);
        (bool ok, bytes memory out) = address(4).staticcall(data);
        require(ok, "identity failed");
        same = out;
    }

    function modexp(uint256 b, uint256 e, uint256 m) external view returns (uint256 r) {
        (bool ok, bytes memory out) = address(5).staticcall(abi.encodePacked(uint256(32), uint256(32), uint256(32), b, e, m));
        require(ok, "modexp failed");
        r = abi.decode(out, (uint256));
    }

    function recover(bytes32 h, uint8 v, bytes32 r, bytes32 s) external pure returns (address) {
        return ecrecover(h, v, r, s);
    }

    /// Any precompile (or account), any input, any gas: whether it succeeded, and its output.
    function raw(address target, bytes calldata input, uint256 gas) external view returns (bool ok, bytes memory out) {
        (ok, out) = target.staticcall{gas: gas}(input);
    }
}

contract Payee {
    uint256 public hits;

    receive() external payable {
        hits++;
    }
}

contract Quiet {
    event Got(uint256 value);

    receive() external payable {
        emit Got(msg.value);
    }
}

contract Gas {
    uint256 public counter;

    function bump() external returns (uint256) {
        return ++counter;
    }

    /// `transfer` forwards 2300 gas: enough to log, not to write storage.
    function pay(address payable to) external payable {
        to.transfer(msg.value);
    }

    function trySend(address payable to) external payable returns (bool ok) {
        ok = to.send(msg.value);
    }

    function callWithGas(address to, uint256 gas, bytes calldata data) external returns (bool ok, bytes memory out) {
        (ok, out) = to.call{gas: gas}(data);
    }

    /// A write inside a static call fails (and burns the gas it was given).
    function staticBump() external view returns (bool ok) {
        (ok,) = address(this).staticcall{gas: 50000}(abi.encodeCall(this.bump, ()));
    }

    /// Recurses through external calls until they fail; returns how deep it got.
    function depth(uint256 n) external returns (uint256) {
        if (n == 0) return 0;
        try this.depth(n - 1) returns (uint256 d) {
            return d + 1;
        } catch {
            return 0;
        }
    }

    function bigMemory(uint256 n) external pure returns (bytes32) {
        bytes memory b = new bytes(n);
        b[n - 1] = 0x01;
        return keccak256(b);
    }

    event Blob(bytes data);

    function bigLog(uint256 n) external {
        bytes memory b = new bytes(n);
        for (uint256 i = 0; i < n; i += 32) b[i] = bytes1(uint8(i / 32));
        emit Blob(b);
    }

    function invalidOpcode() external pure {
        assembly {
            invalid()
        }
    }

    function badReturnDataCopy() external pure {
        assembly {
            returndatacopy(0, 0, 1)
        }
    }

    function copyAround(bytes calldata data) external pure returns (bytes memory out) {
        out = new bytes(data.length);
        assembly {
            calldatacopy(add(out, 32), data.offset, data.length)
            // Overlapping copy within memory (MCOPY): shift the bytes by 3.
            mcopy(add(out, 35), add(out, 32), sub(mload(out), 3))
        }
    }
}

contract Bomb {
    constructor() payable {}

    function boom(address payable to) external {
        selfdestruct(to);
    }
}

contract BombFactory {
    /// Created and destroyed in one transaction: the account goes (EIP-6780).
    function createAndBoom(address payable to) external payable returns (address bomb, uint256 sizeAfter) {
        Bomb b = new Bomb{value: msg.value}();
        b.boom(to);
        bomb = address(b);
        sizeAfter = bomb.code.length;
    }
}

contract Inspector {
    uint256 public sizeInConstructor;
    address public immutable self;

    constructor() {
        sizeInConstructor = address(this).code.length;
        self = address(this);
    }

    function codeOf(address a) external view returns (uint256 size, bytes32 hash, bytes memory code) {
        size = a.code.length;
        hash = a.codehash;
        code = a.code;
    }

    /// EXTCODECOPY past the end of the code pads with zeros.
    function codeSlice(address a, uint256 offset, uint256 len) external view returns (bytes memory out) {
        out = new bytes(len);
        assembly {
            extcodecopy(a, add(out, 32), offset, len)
        }
    }

    function ownCode() external pure returns (bytes memory out) {
        assembly {
            let n := codesize()
            out := mload(0x40)
            mstore(out, n)
            codecopy(add(out, 32), 0, n)
            mstore(0x40, add(add(out, 32), and(add(n, 31), not(31))))
        }
    }
}

/// The logic behind the proxy: its storage is the proxy's.
contract Logic {
    uint256 public value;
    address public lastCaller;

    error Negative(int256 given);

    function initialize(uint256 v) external {
        require(value == 0, "initialized");
        value = v;
    }

    function add(int256 delta) external returns (uint256) {
        if (delta < 0) revert Negative(delta);
        value += uint256(delta);
        lastCaller = msg.sender;
        return value;
    }

    function whereAmI() external view returns (address) {
        return address(this);
    }
}

contract Proxy is ERC1967Proxy {
    constructor(address logic, bytes memory init) payable ERC1967Proxy(logic, init) {}

    receive() external payable {}
}
