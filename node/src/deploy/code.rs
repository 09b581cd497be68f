//! What is deployed: the file read as a WASM module, an RV64IM ELF, an envelope or EVM
//! bytecode; validated as the node will validate it; sized against its limit; its
//! deployment charge, its code hash and its gas bounds; and the init data of the deploy
//! transaction.

use host_abi::envelope::{Envelope, Kind};
use host_abi::{gas, limits};
use wasm_runtime::exec::{LIFTED_MODULE_BYTE, NATIVE_ELF_BYTE, WASM_DEPLOY_BYTE};
use wasm_runtime::primitives::{keccak256, B256};

use super::error::{Error, Result};
use crate::gas_report::Report;

/// What kind of code the file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// A WASM module (envelope kind 0x01).
    Wasm,
    /// An RV64IM ELF (envelope kind 0x02).
    Native,
    /// EVM init code.
    Evm,
}

impl Source {
    /// How the report names it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Wasm => "WASM module",
            Self::Native => "RV64IM ELF (native contract)",
            Self::Evm => "EVM init code",
        }
    }
}

/// A contract ready to deploy, and what is known about it before it is sent.
#[derive(Debug)]
pub struct Contract {
    /// The kind of code.
    pub source: Source,
    /// The code: the module, the ELF or the EVM init code.
    pub code: Vec<u8>,
    /// The constants area (envelopes only).
    pub constants: Vec<u8>,
    /// Constructor arguments that came with the file (after an envelope).
    pub file_args: Vec<u8>,
    /// The size limit of the code, and its name.
    pub limit: (usize, &'static str),
    /// The deployment charge (validation, metering, compilation, storage) in gas, when it
    /// is known before the code runs, and how it is made up.
    pub deploy_charge: Option<u64>,
    /// How the deployment charge is computed.
    pub charge_formula: String,
    /// For a native contract: RV64IM instructions lifted and the size of the lifted module.
    pub lifted: Option<(usize, usize)>,
    /// Whether the module exports `deploy` (WASM and native).
    pub has_deploy: bool,
    /// The code hash the account will have (envelopes), or the init code's hash (EVM: the
    /// deployed code is what the init code returns).
    pub code_hash: B256,
    /// The static gas bounds per export (WASM, native: of the lifted module) or selector.
    pub bounds: Report,
    /// EVM: the size of the runtime code the init code returned in the dry run.
    pub runtime: Option<usize>,
}

/// The kind of bytes, before validation.
enum Detected {
    Wasm(Vec<u8>),
    Native(Vec<u8>),
    Envelope(Vec<u8>),
    Evm(Vec<u8>),
}

fn detect(file: &str, bytes: &[u8]) -> Result<Detected> {
    if bytes.is_empty() {
        return Err(Error::Usage(format!("{file}: empty file")));
    }
    if bytes.starts_with(b"\0asm") {
        return Ok(Detected::Wasm(bytes.to_vec()));
    }
    if bytes.starts_with(b"\x7fELF") {
        return Ok(Detected::Native(bytes.to_vec()));
    }
    if host_abi::envelope::is_envelope(bytes) {
        return Ok(Detected::Envelope(bytes.to_vec()));
    }
    let text = String::from_utf8_lossy(bytes);
    if text.trim_start().starts_with("(module") {
        return Err(Error::Usage(format!(
            "{file}: WebAssembly text: assemble it into a .wasm module (e.g. with wat2wasm) first"
        )));
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let digits = compact.strip_prefix("0x").unwrap_or(&compact);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        let decoded = hex::decode(digits).map_err(|e| Error::Usage(format!("{file}: bad hex: {e}")))?;
        return match detect(file, &decoded)? {
            // Hex that decodes to text that is hex again is EVM code after all.
            Detected::Evm(_) => Ok(Detected::Evm(decoded)),
            other => Ok(other),
        };
    }
    Ok(Detected::Evm(bytes.to_vec()))
}

/// Reads `bytes` (the contents of `file`) as a contract; `constants` is the `--constants`
/// area for a WASM or native contract.
pub fn analyze(file: &str, bytes: &[u8], constants: Option<Vec<u8>>) -> Result<Contract> {
    let (source, code, file_constants, file_args) = match detect(file, bytes)? {
        Detected::Wasm(code) => (Source::Wasm, code, None, Vec::new()),
        Detected::Native(code) => (Source::Native, code, None, Vec::new()),
        Detected::Evm(code) => (Source::Evm, code, None, Vec::new()),
        Detected::Envelope(bytes) => {
            let (env, args) =
                Envelope::parse(&bytes).map_err(|e| Error::Contract(format!("{file}: invalid envelope: {e}")))?;
            let source = match env.kind {
                Kind::Wasm => Source::Wasm,
                Kind::Rv64im => Source::Native,
            };
            (source, env.code.to_vec(), Some(env.constants.to_vec()), args.to_vec())
        }
    };
    let constants = match (constants, file_constants) {
        (Some(_), Some(_)) => {
            return Err(Error::Usage(format!(
                "{file} is an envelope with its own constants area: --constants would replace it"
            )))
        }
        (Some(_), None) if source == Source::Evm => {
            return Err(Error::Usage(format!(
                "{file} is EVM code: --constants is for WASM and native contracts (EVM immutables live in the code)"
            )))
        }
        (given, from_file) => given.or(from_file).unwrap_or_default(),
    };
    if constants.len() > limits::MAX_CONSTANTS_SIZE {
        return Err(Error::Contract(format!(
            "constants area too large: {} bytes, the limit is {} bytes",
            constants.len(),
            limits::MAX_CONSTANTS_SIZE
        )));
    }
    let limit = match source {
        Source::Wasm => (limits::MAX_WASM_CODE_SIZE, "WASM code size limit"),
        Source::Native => (native_shim::MAX_ELF_SIZE, "native ELF size limit"),
        Source::Evm => (limits::MAX_EVM_INITCODE_SIZE, "EIP-3860 init code limit"),
    };
    if code.len() > limit.0 {
        return Err(Error::Contract(format!(
            "{file}: too large: {} {} is {} bytes, the {} is {} bytes",
            source.name(),
            file,
            code.len(),
            limit.1,
            limit.0
        )));
    }
    let constants_charge = gas::CODE_DEPOSIT_BYTE * constants.len() as u64;
    let constants_part = if constants.is_empty() {
        String::new()
    } else {
        format!(" + {} × {} bytes of constants", gas::CODE_DEPOSIT_BYTE, constants.len())
    };
    let invalid = |what: &str, e: &dyn std::fmt::Display| Error::Contract(format!("{file}: invalid {what}: {e}"));
    match source {
        Source::Wasm => {
            let info = wasm_validator::validate::validate(&code).map_err(|e| invalid("WASM module", &e))?;
            wasm_validator::meter::meter(&code).map_err(|e| invalid("WASM module", &e))?;
            let bounds = bounds_of(file, &code)?;
            let charge = WASM_DEPLOY_BYTE * code.len() as u64 + constants_charge;
            Ok(Contract {
                source,
                code_hash: stored_hash(Kind::Wasm, &code),
                charge_formula: format!(
                    "{WASM_DEPLOY_BYTE} × {} bytes (validate {}, meter {}, compile {}, store {} per byte){constants_part}",
                    code.len(),
                    gas::VALIDATE_BYTE,
                    gas::METER_BYTE,
                    gas::COMPILE_BYTE,
                    gas::WASM_CODE_DEPOSIT_BYTE
                ),
                deploy_charge: Some(charge),
                code,
                constants,
                file_args,
                limit,
                lifted: None,
                has_deploy: info.has_deploy,
                bounds,
                runtime: None,
            })
        }
        Source::Native => {
            let lifted = native_shim::lift(&code).map_err(|e| invalid("RV64IM contract", &e))?;
            let what = "module lifted from the ELF";
            wasm_validator::validate::validate(&lifted.wasm).map_err(|e| invalid(what, &e))?;
            wasm_validator::meter::meter(&lifted.wasm).map_err(|e| invalid(what, &e))?;
            let bounds = bounds_of(file, &lifted.wasm)?;
            let charge =
                NATIVE_ELF_BYTE * code.len() as u64 + LIFTED_MODULE_BYTE * lifted.wasm.len() as u64 + constants_charge;
            Ok(Contract {
                source,
                code_hash: stored_hash(Kind::Rv64im, &code),
                charge_formula: format!(
                    "{NATIVE_ELF_BYTE} × {} ELF bytes (lift {}, store {}) + {LIFTED_MODULE_BYTE} × {} bytes of lifted WASM (validate, meter, compile){constants_part}",
                    code.len(),
                    gas::TRANSPILE_BYTE,
                    gas::WASM_CODE_DEPOSIT_BYTE,
                    lifted.wasm.len()
                ),
                deploy_charge: Some(charge),
                lifted: Some((lifted.instructions, lifted.wasm.len())),
                has_deploy: lifted.has_deploy,
                code,
                constants,
                file_args,
                limit,
                bounds,
                runtime: None,
            })
        }
        Source::Evm => {
            let bounds = bounds_of(file, &code)?;
            let words = code.len().div_ceil(32) as u64;
            Ok(Contract {
                source,
                code_hash: keccak256(&code),
                charge_formula: format!(
                    "{} × {words} words of init code (EIP-3860) now, then {} gas per byte of the runtime code it returns (Ethereum's code deposit; {} of it pays the transpiler)",
                    gas::INITCODE_WORD,
                    gas::CODE_DEPOSIT_BYTE,
                    gas::TRANSPILE_BYTE
                ),
                deploy_charge: None,
                code,
                constants,
                file_args,
                limit,
                lifted: None,
                has_deploy: true,
                bounds,
                runtime: None,
            })
        }
    }
}

/// The report of `zkos gas-report` for `code` (a WASM module or EVM bytecode).
fn bounds_of(file: &str, code: &[u8]) -> Result<Report> {
    let args = crate::gas_report::Args {
        file: file.into(),
        json: false,
        html: None,
        inputs: Vec::new(),
        abi: None,
        measure: None,
    };
    crate::gas_report::report(file, code, &args).map_err(|e| Error::Contract(format!("gas bounds: {e}")))
}

/// The code hash of an account deployed from an envelope of `kind` holding `code`: the
/// keccak-256 of the stored code (header and code section; never the constants).
pub fn stored_hash(kind: Kind, code: &[u8]) -> B256 {
    let env = Envelope { kind, version: host_abi::envelope::VERSION, constants: &[], code };
    let mut stored = Vec::with_capacity(env.stored_code_len());
    stored.extend_from_slice(&env.header());
    stored.extend_from_slice(code);
    keccak256(&stored)
}

impl Contract {
    /// For EVM init code: the runtime code it returned in the dry run takes the place of the
    /// init code in the report (its selectors' bounds, its code hash, its code deposit).
    pub fn set_runtime(&mut self, file: &str, runtime: &[u8]) -> Result<()> {
        if self.source != Source::Evm || runtime.is_empty() {
            return Ok(());
        }
        self.bounds = bounds_of(file, runtime)?;
        self.code_hash = keccak256(runtime);
        let words = self.code.len().div_ceil(32) as u64;
        let deposit = gas::CODE_DEPOSIT_BYTE * runtime.len() as u64;
        self.deploy_charge = Some(gas::INITCODE_WORD * words + deposit);
        self.charge_formula = format!(
            "{} × {words} words of init code (EIP-3860) + {} × {} bytes of runtime code (Ethereum's code deposit; {} per byte pays the transpiler)",
            gas::INITCODE_WORD,
            gas::CODE_DEPOSIT_BYTE,
            runtime.len(),
            gas::TRANSPILE_BYTE
        );
        self.runtime = Some(runtime.len());
        Ok(())
    }

    /// The deploy transaction's data: the envelope (WASM, native) or the init code (EVM),
    /// followed by the constructor arguments.
    pub fn init_data(&self, args: &[u8]) -> Result<Vec<u8>> {
        let mut out = match self.source {
            Source::Evm => self.code.clone(),
            Source::Wasm | Source::Native => {
                let kind = if self.source == Source::Wasm { Kind::Wasm } else { Kind::Rv64im };
                let env = Envelope {
                    kind,
                    version: host_abi::envelope::VERSION,
                    constants: &self.constants,
                    code: &self.code,
                };
                let mut buf = vec![0u8; env.encoded_len()];
                env.encode_into(&mut buf)
                    .ok_or_else(|| Error::Contract("a section of the envelope is over 4 GiB".into()))?;
                buf
            }
        };
        out.extend_from_slice(args);
        Ok(out)
    }
}
