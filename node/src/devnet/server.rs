//! HTTP and WebSocket JSON-RPC (axum on tokio). Requests are parsed here and each method is
//! handed to the chain's thread, which owns the chain and runs one request at a time.
//! WebSocket connections also take `eth_subscribe` (`newHeads`, `logs`).

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::mpsc;

use axum::body::Body;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use tokio::sync::{broadcast, oneshot};

use super::chain::{Chain, Event, LogQuery};
use super::rpc;
use super::wire::{self, RpcError};

/// The largest request body (HTTP) or message (WebSocket): 16 MiB.
pub const MAX_REQUEST_BYTES: usize = 16 << 20;

/// How much of a too-large body is read (and dropped) before the connection is closed.
pub const MAX_DRAIN_BYTES: usize = 256 << 20;

/// The most requests in one batch.
pub const MAX_BATCH: usize = 1000;

type Job = Box<dyn FnOnce(&mut Chain) + Send>;

/// A handle to the chain's thread.
#[derive(Clone)]
pub struct ChainHandle {
    jobs: mpsc::Sender<Job>,
    events: broadcast::Sender<Event>,
}

impl ChainHandle {
    /// Starts the thread that owns the chain `open` makes there (the chain holds engine
    /// caches that stay on one thread), and returns what `info` says of it once open. A
    /// request that panics is answered as an internal error; the thread goes on.
    pub fn spawn<I: Send + 'static>(
        open: impl FnOnce() -> Result<Chain, String> + Send + 'static,
        info: impl FnOnce(&Chain) -> I + Send + 'static,
        events: broadcast::Sender<Event>,
    ) -> Result<(Self, I), String> {
        let (jobs, rx) = mpsc::channel::<Job>();
        let (ready, opened) = mpsc::channel();
        std::thread::Builder::new()
            .name("zkos-chain".into())
            .spawn(move || {
                let mut chain = match open() {
                    Ok(c) => c,
                    Err(e) => {
                        let _ = ready.send(Err(e));
                        return;
                    }
                };
                let _ = ready.send(Ok(info(&chain)));
                while let Ok(job) = rx.recv() {
                    if std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut chain))).is_err() {
                        eprintln!("zkos node: a request panicked; it was answered with an internal error");
                    }
                }
            })
            .map_err(|e| format!("cannot start the chain thread: {e}"))?;
        let info = opened.recv().map_err(|_| "the chain thread stopped while opening".to_string())??;
        Ok((Self { jobs, events }, info))
    }

    /// Runs `f` on the chain's thread; `None` if it panicked or the thread is gone.
    pub async fn run<T: Send + 'static>(&self, f: impl FnOnce(&mut Chain) -> T + Send + 'static) -> Option<T> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |chain| {
            let _ = tx.send(f(chain));
        });
        self.jobs.send(job).ok()?;
        rx.await.ok()
    }

    /// Runs `f` on the chain's thread from a plain thread (the block timer).
    pub fn run_blocking(&self, f: impl FnOnce(&mut Chain) + Send + 'static) -> bool {
        self.jobs.send(Box::new(f)).is_ok()
    }

    async fn call(&self, method: String, params: Value) -> Result<Value, RpcError> {
        let m = method.clone();
        match self.run(move |chain| rpc::handle(chain, &m, &params)).await {
            Some(r) => r,
            None => Err(RpcError::internal(format!(
                "{method}: the node failed on this request (a bug in zkos; the node goes on)"
            ))),
        }
    }
}

fn response(id: Value, result: Result<Value, RpcError>) -> Value {
    match result {
        Ok(r) => json!({ "jsonrpc": "2.0", "id": id, "result": r }),
        Err(e) => json!({ "jsonrpc": "2.0", "id": id, "error": e.to_json() }),
    }
}

/// A request's id, if it is a valid one (string, number or null).
fn request_id(o: &serde_json::Map<String, Value>) -> Result<Option<Value>, RpcError> {
    match o.get("id") {
        None => Ok(None),
        Some(v @ (Value::String(_) | Value::Number(_) | Value::Null)) => Ok(Some(v.clone())),
        Some(_) => Err(RpcError::invalid_request("the id must be a string, a number or null")),
    }
}

/// A request taken apart: its id (none for a notification), method and params.
type Request = (Option<Value>, String, Value);

/// A request refused: the id to answer with, and why.
type Refusal = Box<(Value, RpcError)>;

/// Checks a request object: its id (if any), method and params.
fn parse_request(v: &Value) -> Result<Request, Refusal> {
    let Some(o) = v.as_object() else {
        return Err(Box::new((
            Value::Null,
            RpcError::invalid_request(format!("a request must be an object, got {}", wire::short(v))),
        )));
    };
    let id = request_id(o).map_err(|e| Box::new((Value::Null, e)))?;
    let err_id = id.clone().unwrap_or(Value::Null);
    match o.get("jsonrpc") {
        None => {}
        Some(Value::String(s)) if s == "2.0" => {}
        Some(other) => {
            return Err(Box::new((
                err_id,
                RpcError::invalid_request(format!("jsonrpc must be \"2.0\", got {}", wire::short(other))),
            )))
        }
    }
    let method = match o.get("method") {
        Some(Value::String(m)) => m.clone(),
        Some(other) => {
            return Err(Box::new((
                err_id,
                RpcError::invalid_request(format!("method must be a string, got {}", wire::short(other))),
            )))
        }
        None => return Err(Box::new((err_id, RpcError::invalid_request("no method")))),
    };
    Ok((id, method, o.get("params").cloned().unwrap_or(Value::Null)))
}

/// Answers one request object (`None` for a notification: no id).
async fn one(handle: &ChainHandle, v: &Value) -> Option<Value> {
    match parse_request(v) {
        Err(bad) => {
            let (id, e) = *bad;
            Some(response(id, Err(e)))
        }
        Ok((id, method, params)) => {
            let result = handle.call(method, params).await;
            id.map(|id| response(id, result))
        }
    }
}

/// Answers a body: one request or a batch. `None` when nothing is to be answered.
pub async fn answer(handle: &ChainHandle, body: &[u8]) -> Option<Value> {
    let v: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return Some(response(Value::Null, Err(RpcError::parse(format!("parse error: {e}"))))),
    };
    match &v {
        Value::Array(list) if list.is_empty() => {
            Some(response(Value::Null, Err(RpcError::invalid_request("an empty batch"))))
        }
        Value::Array(list) if list.len() > MAX_BATCH => Some(response(
            Value::Null,
            Err(RpcError::invalid_request(format!("a batch of {} requests is above {MAX_BATCH}", list.len()))),
        )),
        Value::Array(list) => {
            let mut out = Vec::new();
            for item in list {
                out.extend(one(handle, item).await);
            }
            (!out.is_empty()).then_some(Value::Array(out))
        }
        _ => one(handle, &v).await,
    }
}

fn json_response(status: StatusCode, v: &Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], v.to_string()).into_response()
}

/// Reads a request body of at most [`MAX_REQUEST_BYTES`]; a larger one is read on (and
/// dropped) up to [`MAX_DRAIN_BYTES`], so the client finishes sending and reads the answer
/// instead of meeting a closed connection. `Err(size)` when it was too large.
async fn read_body(body: Body) -> Result<Vec<u8>, usize> {
    use axum::body::HttpBody;
    let mut body = std::pin::pin!(body);
    let mut buf = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = std::future::poll_fn(|cx| body.as_mut().poll_frame(cx)).await {
        let Ok(frame) = frame else { break };
        let Ok(data) = frame.into_data() else { continue };
        seen = seen.saturating_add(data.len());
        if seen <= MAX_REQUEST_BYTES {
            buf.extend_from_slice(&data);
        } else {
            buf = Vec::new();
            if seen > MAX_DRAIN_BYTES {
                break;
            }
        }
    }
    if seen > MAX_REQUEST_BYTES {
        Err(seen)
    } else {
        Ok(buf)
    }
}

async fn http(State(handle): State<ChainHandle>, body: Body) -> Response {
    let bytes = match read_body(body).await {
        Ok(b) => b,
        Err(_) => {
            let e = RpcError::invalid_request(format!("the request body is above {MAX_REQUEST_BYTES} bytes"));
            return json_response(StatusCode::PAYLOAD_TOO_LARGE, &response(Value::Null, Err(e)));
        }
    };
    match answer(&handle, &bytes).await {
        Some(v) => json_response(StatusCode::OK, &v),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}

async fn ws_upgrade(State(handle): State<ChainHandle>, ws: WebSocketUpgrade) -> Response {
    ws.max_message_size(MAX_REQUEST_BYTES).on_upgrade(move |socket| websocket(handle, socket))
}

enum Sub {
    Heads,
    Logs(LogQuery),
}

/// `eth_subscribe` / `eth_unsubscribe` on this connection; `None` for other methods.
async fn subscription(
    handle: &ChainHandle,
    subs: &mut HashMap<String, Sub>,
    next: &mut u64,
    method: &str,
    params: &Value,
) -> Option<Result<Value, RpcError>> {
    match method {
        "eth_subscribe" => {
            let kind = params.get(0).and_then(Value::as_str).unwrap_or("");
            let sub = match kind {
                "newHeads" => Sub::Heads,
                "logs" => {
                    let filter = params.get(1).cloned().unwrap_or(Value::Null);
                    match handle.run(move |chain| rpc::subscription_filter(chain, &filter)).await {
                        Some(Ok(q)) => Sub::Logs(q),
                        Some(Err(e)) => return Some(Err(e)),
                        None => return Some(Err(RpcError::internal("eth_subscribe failed"))),
                    }
                }
                other => {
                    return Some(Err(RpcError::params(format!(
                        "eth_subscribe: {other:?} is not a subscription zkos node has (newHeads, logs)"
                    ))))
                }
            };
            *next += 1;
            let id = format!("{:#x}", *next);
            subs.insert(id.clone(), sub);
            Some(Ok(json!(id)))
        }
        "eth_unsubscribe" => {
            let id = params.get(0).and_then(Value::as_str).unwrap_or("");
            Some(Ok(json!(subs.remove(id).is_some())))
        }
        _ => None,
    }
}

async fn websocket(handle: ChainHandle, mut socket: WebSocket) {
    let mut events = handle.events.subscribe();
    let mut subs: HashMap<String, Sub> = HashMap::new();
    let mut next = 0u64;
    loop {
        tokio::select! {
            msg = socket.recv() => {
                let text = match msg {
                    Some(Ok(Message::Text(t))) => t.as_str().to_owned(),
                    Some(Ok(Message::Binary(b))) => String::from_utf8_lossy(&b).into_owned(),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                };
                let reply = match serde_json::from_str::<Value>(&text) {
                    Ok(v) if v.is_object() => match parse_request(&v) {
                        Ok((id, method, params)) => {
                            match subscription(&handle, &mut subs, &mut next, &method, &params).await {
                                Some(r) => id.map(|id| response(id, r)),
                                None => {
                                    let r = handle.call(method, params).await;
                                    id.map(|id| response(id, r))
                                }
                            }
                        }
                        Err(bad) => {
                            let (id, e) = *bad;
                            Some(response(id, Err(e)))
                        }
                    },
                    _ => answer(&handle, text.as_bytes()).await,
                };
                if let Some(r) = reply {
                    if socket.send(Message::Text(r.to_string().into())).await.is_err() {
                        return;
                    }
                }
            }
            event = events.recv() => {
                let Ok(Event::Block { header, logs }) = event else {
                    // Lagged: some blocks were missed by this slow reader; go on.
                    continue;
                };
                for (id, sub) in &subs {
                    let results: Vec<Value> = match sub {
                        Sub::Heads => vec![header.clone()],
                        Sub::Logs(q) => logs.iter().filter(|l| q.matches(l)).cloned().collect(),
                    };
                    for result in results {
                        let note = json!({
                            "jsonrpc": "2.0",
                            "method": "eth_subscription",
                            "params": { "subscription": id, "result": result },
                        });
                        if socket.send(Message::Text(note.to_string().into())).await.is_err() {
                            return;
                        }
                    }
                }
            }
        }
    }
}

/// The router: JSON-RPC by POST, WebSocket by GET, on `/`.
pub fn router(handle: ChainHandle) -> Router {
    Router::new().route("/", post(http).get(ws_upgrade)).with_state(handle)
}
