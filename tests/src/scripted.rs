//! A tiny scripted HTTP/1.1 server on 127.0.0.1 for answers the simulator does not make
//! (1687, 1634, looping next-keys, odd header case). It issues tokens itself and hands
//! every other request to the script.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct Recorded {
    pub path: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn ok(body: &str) -> Self {
        Reply {
            status: 200,
            headers: Vec::new(),
            body: body.into(),
        }
    }
    pub fn status(status: u16, body: &str) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
}

type Script = dyn Fn(&Recorded, usize) -> Reply + Send + Sync;

pub struct Scripted {
    pub base_url: String,
    recorded: Arc<Mutex<Vec<Recorded>>>,
}

/// The answer of the scripted server's own au10001 (a token valid until 2999).
pub const TOKEN_ANSWER: &str = r#"{"expires_dt":"29991231235959","token_type":"bearer","token":"scripted-token-7e1f","return_code":0,"return_msg":"ok"}"#;

impl Scripted {
    /// `script(request, n)` answers the n-th (0-based) non-token request.
    pub async fn start(
        script: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> Scripted {
        Self::serve(Some(TOKEN_ANSWER), script).await
    }

    /// `script(request, n)` answers every request, `/oauth2/token` included; all are
    /// recorded.
    pub async fn start_all(
        script: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> Scripted {
        Self::serve(None, script).await
    }

    async fn serve(
        token_answer: Option<&'static str>,
        script: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let recorded = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(script);
        let rec = recorded.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let (script, rec) = (script.clone(), rec.clone());
                tokio::spawn(async move {
                    let (r, mut w) = sock.into_split();
                    let mut r = BufReader::new(r);
                    loop {
                        let mut line = String::new();
                        if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let path = line.split_whitespace().nth(1).unwrap_or("").to_owned();
                        let mut headers = Vec::new();
                        loop {
                            let mut h = String::new();
                            if r.read_line(&mut h).await.unwrap_or(0) == 0 {
                                return;
                            }
                            let h = h.trim_end();
                            if h.is_empty() {
                                break;
                            }
                            if let Some((k, v)) = h.split_once(':') {
                                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
                            }
                        }
                        let len: usize = headers
                            .iter()
                            .find(|(k, _)| k == "content-length")
                            .and_then(|(_, v)| v.parse().ok())
                            .unwrap_or(0);
                        let mut body = vec![0; len];
                        if r.read_exact(&mut body).await.is_err() {
                            return;
                        }
                        let req = Recorded {
                            path,
                            headers,
                            body: String::from_utf8_lossy(&body).into_owned(),
                        };
                        let reply = if let Some(answer) =
                            token_answer.filter(|_| req.path == "/oauth2/token")
                        {
                            Reply::ok(answer)
                        } else {
                            let n = {
                                let mut g = rec.lock().unwrap();
                                g.push(req.clone());
                                g.len() - 1
                            };
                            script(&req, n)
                        };
                        let mut out = format!(
                            "HTTP/1.1 {} X\r\ncontent-type: application/json;charset=UTF-8\r\ncontent-length: {}\r\n",
                            reply.status,
                            reply.body.len()
                        );
                        for (k, v) in &reply.headers {
                            out.push_str(&format!("{k}: {v}\r\n"));
                        }
                        out.push_str("\r\n");
                        out.push_str(&reply.body);
                        if w.write_all(out.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Scripted { base_url, recorded }
    }

    /// Non-token requests received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.recorded.lock().unwrap().clone()
    }
}
