// Compiles Token.sol with solc-js (npm install solc) into token.json: runtime and init
// bytecode (hex) and the ABI. Run: npm install && node compile.js
const fs = require('fs');
const solc = require('solc');
const input = {
  language: 'Solidity',
  sources: { 'Token.sol': { content: fs.readFileSync(__dirname + '/Token.sol', 'utf8') } },
  settings: {
    optimizer: { enabled: true, runs: 200 },
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
  },
};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
for (const e of out.errors || []) {
  if (e.severity === 'error') { console.error(e.formattedMessage); process.exit(1); }
}
const c = out.contracts['Token.sol'].Token;
fs.writeFileSync(__dirname + '/token.json', JSON.stringify({
  compiler: solc.version(),
  abi: c.abi,
  bytecode: c.evm.bytecode.object,
  deployedBytecode: c.evm.deployedBytecode.object,
}, null, 1) + '\n');
console.log('token.json written with', solc.version());
