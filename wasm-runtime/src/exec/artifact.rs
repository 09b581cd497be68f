//! Deployment artifacts kept by code hash (normalized WASM, and RV64IM code once compiled):
//! a call loads them, it never redoes the work.

use alloc::collections::BTreeMap;
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::OnceCell;

use host_abi::envelope::{self, Kind};

use super::Stats;
use crate::error::{BuildError, CodeError, Fault, Internal, InternalKind, Limit, LimitKind};
use crate::primitives::B256;

/// What kind of code an artifact came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeKind {
    /// A WASM contract (envelope kind WASM).
    Wasm,
    /// EVM bytecode, transpiled.
    Evm,
    /// A native RV64IM ELF (envelope kind RV64IM), lifted by native-shim.
    Native,
}

/// The normalized form of deployed code.
#[derive(Clone, Debug)]
pub struct Artifact {
    /// The code hash it is kept under.
    pub hash: B256,
    /// Where it came from.
    pub kind: CodeKind,
    /// The normalized, metered WASM module every engine runs.
    pub wasm: Vec<u8>,
    /// Whether the module exports `deploy`.
    pub has_deploy: bool,
    /// Pages of linear memory the module declares initially: every frame pays
    /// [`host_abi::gas::initial_memory_gas`] for them before its instance is made.
    pub initial_pages: u64,
    /// The RV64IM code of the module made ready to instantiate (or the internal error that
    /// kept it from being made), built on the first call on the provable engine and kept
    /// with the artifact: every frame maps the same predecoded code.
    pub rv_code: OnceCell<Result<Rc<crate::engine::rv_instance::Image>, Internal>>,
    /// The module compiled in rv-backend's sandboxed mode (the kernel's), encoded
    /// ([`rv_backend::Compiled::encode`]); empty if it does not compile. Part of the
    /// artifact as the kernel commits it ([`crate::stateless`]): computed when first asked
    /// for ([`Self::sandboxed_image`]), or given with the artifact by a kernel input, so the
    /// kernel compiles a module only once over the blocks of a chain.
    pub image: OnceCell<Vec<u8>>,
    /// Inside the kernel: the code compiled in the sandboxed mode and installed, likewise.
    #[cfg(target_arch = "riscv64")]
    pub(crate) kernel_code: OnceCell<Result<Rc<crate::engine::in_kernel::KernelImage>, Internal>>,
}

impl Artifact {
    /// An artifact whose RV64IM code is not compiled yet.
    pub fn new(hash: B256, kind: CodeKind, wasm: Vec<u8>, has_deploy: bool) -> Self {
        let initial_pages = initial_pages(&wasm);
        Self {
            hash,
            kind,
            wasm,
            has_deploy,
            initial_pages,
            rv_code: OnceCell::new(),
            image: OnceCell::new(),
            #[cfg(target_arch = "riscv64")]
            kernel_code: OnceCell::new(),
        }
    }
}

impl Artifact {
    /// [`Self::image`], compiled now if it is not known yet (inside the kernel, from the
    /// code its frames already compiled).
    pub fn sandboxed_image(&self) -> &[u8] {
        self.image.get_or_init(|| {
            #[cfg(target_arch = "riscv64")]
            if let Some(Ok(image)) = self.kernel_code.get() {
                return image.compiled().encode();
            }
            let options = rv_backend::Options { sandboxed: true, ..Default::default() };
            rv_backend::compile_with(&self.wasm, &options).map(|c| c.encode()).unwrap_or_default()
        })
    }
}

/// The initial size in pages of the memory a module defines (0 without one, or if the module
/// does not parse: the engines reject it then).
fn initial_pages(wasm: &[u8]) -> u64 {
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload {
            Ok(wasmparser::Payload::MemorySection(reader)) => {
                return reader.into_iter().next().and_then(Result::ok).map_or(0, |m| m.initial);
            }
            // The memory section comes before the code.
            Ok(wasmparser::Payload::CodeSectionStart { .. }) | Err(_) => return 0,
            Ok(_) => {}
        }
    }
    0
}

/// Artifacts by code hash.
///
/// EVM code is transpiled under the opcodes of one fork ([`evm_to_wasm::Rules`]: CLZ exists
/// from Osaka on); [`ArtifactCache::set_rules`] drops the EVM artifacts built under other
/// rules, so code deployed before a fork runs by the new fork's rules after it.
#[derive(Clone, Debug, Default)]
pub struct ArtifactCache {
    by_hash: BTreeMap<B256, Rc<Artifact>>,
    rules: evm_to_wasm::Rules,
}

impl ArtifactCache {
    /// Transpiles EVM code under `rules` from now on (the opcodes of the block's fork),
    /// dropping EVM artifacts built under others.
    pub fn set_rules(&mut self, rules: evm_to_wasm::Rules) {
        if self.rules != rules {
            self.by_hash.retain(|_, a| a.kind != CodeKind::Evm);
            self.rules = rules;
        }
    }

    /// The artifact of `code` (stored account code, hash `code_hash`), built on first use;
    /// why the code cannot run ([`BuildError::Failed`], charged to the frame that runs it)
    /// or an internal error otherwise.
    pub fn get_or_build(
        &mut self,
        code_hash: B256,
        code: &[u8],
        stats: &mut Stats,
    ) -> Result<Rc<Artifact>, BuildError> {
        if let Some(a) = self.by_hash.get(&code_hash) {
            return Ok(a.clone());
        }
        let invalid = |why| BuildError::Failed(Fault::invalid_code(why).into());
        let artifact = if envelope::is_envelope(code) {
            match envelope::parse_stored_code(code) {
                Some((Kind::Wasm, wasm)) => normalize_wasm(code_hash, wasm, stats)?,
                Some((Kind::Rv64im, elf)) => normalize_native(code_hash, elf, stats)?,
                None => return Err(invalid(CodeError::BadStoredEnvelope)),
            }
        } else {
            stats.transpilations += 1;
            let config = evm_to_wasm::Config { rules: self.rules, ..evm_to_wasm::Config::default() };
            let wasm = evm_to_wasm::transpile_with(code, &config).map_err(|e| match e {
                evm_to_wasm::TranspileError::CodeTooLarge { len, max } => {
                    BuildError::Failed(Limit::new(LimitKind::TranspiledCodeSize, max, len).into())
                }
                e => BuildError::Internal(InternalKind::Transpile(e).into()),
            })?;
            Artifact::new(code_hash, CodeKind::Evm, wasm, false)
        };
        let artifact = Rc::new(artifact);
        self.by_hash.insert(code_hash, artifact.clone());
        Ok(artifact)
    }

    /// The artifact for `code_hash`, built by `build` if it is not cached yet.
    pub fn get_or_build_with(
        &mut self,
        code_hash: B256,
        build: impl FnOnce() -> Result<Artifact, BuildError>,
    ) -> Result<Rc<Artifact>, BuildError> {
        if let Some(a) = self.by_hash.get(&code_hash) {
            return Ok(a.clone());
        }
        let artifact = Rc::new(build()?);
        self.by_hash.insert(code_hash, artifact.clone());
        Ok(artifact)
    }

    /// Adds an artifact built elsewhere (kernel mode: one the artifact root commits to),
    /// replacing any under its code hash.
    pub fn insert(&mut self, artifact: Artifact) {
        self.by_hash.insert(artifact.hash, Rc::new(artifact));
    }

    /// Whether an artifact for the hash is cached.
    pub fn contains(&self, code_hash: &B256) -> bool {
        self.by_hash.contains_key(code_hash)
    }

    /// Every cached artifact, by code hash (a node keeps them across restarts).
    pub fn iter(&self) -> impl Iterator<Item = &Rc<Artifact>> + '_ {
        self.by_hash.values()
    }
}

/// Validates and meters a WASM contract: a module validation rejects, or one with a frame
/// too large for the WASM stack budget, is the code's fault; metering failing otherwise on a
/// module the validator accepted is an internal error.
pub fn normalize_wasm(hash: B256, wasm: &[u8], stats: &mut Stats) -> Result<Artifact, BuildError> {
    let invalid = |why| BuildError::Failed(Fault::invalid_code(why).into());
    let info = wasm_validator::validate::validate(wasm).map_err(|e| invalid(CodeError::Validation(e)))?;
    let metered = wasm_validator::meter::meter(wasm).map_err(|e| match e.kind() {
        wasm_validator::meter::MeterErrorKind::FrameTooLarge { .. } => invalid(CodeError::Metering(e)),
        _ => BuildError::Internal(InternalKind::Meter(e).into()),
    })?;
    stats.normalizations += 1;
    Ok(Artifact::new(hash, CodeKind::Wasm, metered, info.has_deploy))
}

/// Lifts a native RV64IM contract to WASM (native-shim), rejecting an ELF the shim rejects
/// as the code's fault.
pub fn lift_native(elf: &[u8]) -> Result<native_shim::Lifted, BuildError> {
    native_shim::lift(elf).map_err(|e| BuildError::Failed(Fault::invalid_code(CodeError::Native(e)).into()))
}

/// Lifts a native contract and normalizes the lifted module as any WASM contract: it is
/// validated, metered and compiled like one.
pub fn normalize_native(hash: B256, elf: &[u8], stats: &mut Stats) -> Result<Artifact, BuildError> {
    let lifted = lift_native(elf)?;
    normalize_lifted(hash, &lifted, stats)
}

/// Normalizes a lifted native contract (see [`normalize_native`]).
pub fn normalize_lifted(hash: B256, lifted: &native_shim::Lifted, stats: &mut Stats) -> Result<Artifact, BuildError> {
    let mut artifact = normalize_wasm(hash, &lifted.wasm, stats)?;
    artifact.kind = CodeKind::Native;
    Ok(artifact)
}
