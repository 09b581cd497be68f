//! The rv engine with contract code compiled in rv-backend's sandboxed mode
//! ([`rv_backend::Options::sandboxed`]) and run on a [`SandboxedInstance`] (mapped at other
//! addresses than the default mode's, bounds checked by the code): what the kernel runs,
//! measured and tested in host mode. Frames, host calls, gas and outcomes are exactly
//! [`super::rv`]'s, by the same code (`rv::Running`); only the image differs. Selected
//! by [`super::EngineKind::RvSandboxed`] (`zkos statetest --engine rv-sandboxed`).
//!
//! [`SandboxedInstance`]: super::rv_sandboxed::SandboxedInstance

use alloc::rc::Rc;
use alloc::string::ToString;

use super::rv_instance::{Image, Imports};
use super::rv_sandboxed::SandboxedError;
use crate::error::{Internal, InternalKind};
use crate::exec::{Artifact, Stats};

/// A frame's code on the sandboxed mode's machine.
pub(crate) type Running = super::rv::Running<super::rv_sandboxed::SandboxedInstance<'static>>;

/// The sandboxed mode's image of `artifact`, compiled for every frame: the artifact keeps
/// only the default mode's image (this engine measures and tests the mode; the kernel caches
/// its own artifacts). The compiler refusing an artifact's module, or the image refusing the
/// module, is an internal error.
pub(crate) fn image(stats: &mut Stats, artifact: &Artifact) -> Result<Rc<Image<true>>, Internal> {
    stats.rv_compilations += 1;
    let options = rv_backend::Options { sandboxed: true, ..Default::default() };
    let compiled = rv_backend::compile_with(&artifact.wasm, &options).map_err(InternalKind::Compile)?;
    if !compiled.sandboxed {
        let kind = rv_backend::CompileErrorKind::Internal(SandboxedError::NotSandboxed.to_string());
        return Err(InternalKind::Compile(rv_backend::CompileError::new(kind, None)).into());
    }
    let image = Image::new(compiled, super::rv::config(), &Imports::default()).map_err(InternalKind::Instantiate)?;
    Ok(Rc::new(image))
}
