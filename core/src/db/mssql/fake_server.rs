//! A fake SQL Server on loopback that speaks just enough TDS (MS-TDS §2.2) for tiberius to log in
//! without TLS and run a bulk load, and records every message it gets: the tests then read the
//! exact SQL text and the exact bytes of the rows tiberius sends.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::compat::TokioAsyncWriteCompatExt;

use super::connect::MsSqlDriver;
use crate::db::server::Endpoint;

/// Message types of the packet header (§2.2.3.1.1).
pub(super) const SQL_BATCH: u8 = 0x01;
pub(super) const RPC: u8 = 0x03;
pub(super) const BULK_LOAD: u8 = 0x07;
const REPLY: u8 = 0x04;
const LOGIN7: u8 = 0x10;
const PRELOGIN: u8 = 0x12;

/// Latin1_General_CI_AS, as five collation bytes.
const COLLATION: [u8; 5] = [0x09, 0x04, 0xD0, 0x00, 0x34];

/// One column as the server describes it in COLMETADATA (§2.2.7.4).
pub(super) struct FakeColumn {
    pub name: &'static str,
    /// TYPE_INFO, and for `ntext` its table name.
    pub type_info: Vec<u8>,
    pub nullable: bool,
    pub identity: bool,
}

impl FakeColumn {
    pub fn new(name: &'static str, type_info: Vec<u8>) -> Self {
        FakeColumn {
            name,
            type_info,
            nullable: true,
            identity: false,
        }
    }

    /// The identity key: `int IDENTITY NOT NULL`, a fixed-length INT4.
    pub fn identity(name: &'static str) -> Self {
        FakeColumn {
            name,
            type_info: vec![0x38],
            nullable: false,
            identity: true,
        }
    }
}

/// TYPE_INFO of the types restore creates.
pub(super) mod ty {
    use crate::db::mssql::fake_server::{COLLATION, us_varchar};

    pub fn int() -> Vec<u8> {
        vec![0x26, 4]
    }
    pub fn bigint() -> Vec<u8> {
        vec![0x26, 8]
    }
    pub fn bit() -> Vec<u8> {
        vec![0x68, 1]
    }
    pub fn datetime() -> Vec<u8> {
        vec![0x6F, 8]
    }
    pub fn smalldatetime() -> Vec<u8> {
        vec![0x6F, 4]
    }
    pub fn datetime2(scale: u8) -> Vec<u8> {
        vec![0x2A, scale]
    }
    pub fn decimal(precision: u8, scale: u8) -> Vec<u8> {
        let size = match precision {
            1..=9 => 5,
            10..=19 => 9,
            20..=28 => 13,
            _ => 17,
        };
        vec![0x6A, size, precision, scale]
    }
    /// `nvarchar(n)`, or `nvarchar(max)` for None.
    pub fn nvarchar(chars: Option<u16>) -> Vec<u8> {
        let bytes = chars.map_or(0xFFFF, |n| n * 2);
        let mut v = vec![0xE7];
        v.extend(bytes.to_le_bytes());
        v.extend(COLLATION);
        v
    }
    /// `ntext`, with the one-part table name the server sends after it.
    pub fn ntext(table: &str) -> Vec<u8> {
        let mut v = vec![0x63];
        v.extend(0x7FFF_FFFEu32.to_le_bytes());
        v.extend(COLLATION);
        v.push(1);
        v.extend(us_varchar(table));
        v
    }
}

/// A u16 count of UTF-16 code units, then the text in UTF-16LE.
pub(super) fn us_varchar(s: &str) -> Vec<u8> {
    let units = utf16(s);
    let mut v = u16::try_from(units.len() / 2)
        .unwrap()
        .to_le_bytes()
        .to_vec();
    v.extend(units);
    v
}

pub(super) fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn colmetadata(columns: &[FakeColumn]) -> Vec<u8> {
    let mut v = vec![0x81];
    v.extend(u16::try_from(columns.len()).unwrap().to_le_bytes());
    for c in columns {
        v.extend(0u32.to_le_bytes()); // UserType
        let mut flags = if c.nullable { 0x01u16 } else { 0 };
        // usUpdateable: an identity reads as read-only, anything else read/write.
        flags |= if c.identity { 0x10 } else { 0x04 };
        v.extend(flags.to_le_bytes());
        v.extend(&c.type_info);
        let name = utf16(c.name);
        v.push(u8::try_from(name.len() / 2).unwrap());
        v.extend(name);
    }
    v
}

/// DONE (§2.2.7.6), with DONE_COUNT when it reports rows.
pub(super) fn done(rows: Option<u64>) -> Vec<u8> {
    let mut v = vec![0xFD];
    v.extend(if rows.is_some() { 0x10u16 } else { 0 }.to_le_bytes());
    v.extend(0u16.to_le_bytes());
    v.extend(rows.unwrap_or(0).to_le_bytes());
    v
}

/// What the server received after the login: (message type, payload).
#[derive(Default)]
pub(super) struct Log(Mutex<Vec<(u8, Vec<u8>)>>);

impl Log {
    /// The SQL text of every batch, in order.
    pub fn batches(&self) -> Vec<String> {
        self.messages(SQL_BATCH)
            .iter()
            .map(|p| batch_text(p))
            .collect()
    }

    pub fn messages(&self, kind: u8) -> Vec<Vec<u8>> {
        let log = self.0.lock().unwrap();
        log.iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, p)| p.clone())
            .collect()
    }
}

/// The SQL text of a batch: ALL_HEADERS comes first, its total length in its first four bytes.
fn batch_text(p: &[u8]) -> String {
    let skip = u32::from_le_bytes(p[..4].try_into().unwrap()) as usize;
    let units: Vec<u16> = p[skip..]
        .chunks(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16(&units).unwrap()
}

async fn read_message(s: &mut TcpStream) -> Option<(u8, Vec<u8>)> {
    let mut payload = Vec::new();
    loop {
        let mut header = [0u8; 8];
        s.read_exact(&mut header).await.ok()?;
        let len = usize::from(u16::from_be_bytes([header[2], header[3]]));
        let mut body = vec![0u8; len - 8];
        s.read_exact(&mut body).await.ok()?;
        payload.extend(body);
        if header[1] & 0x01 != 0 {
            return Some((header[0], payload));
        }
    }
}

async fn reply(s: &mut TcpStream, payload: &[u8]) {
    let len = u16::try_from(payload.len() + 8).unwrap();
    let mut packet = vec![REPLY, 0x01];
    packet.extend(len.to_be_bytes());
    packet.extend([0, 0, 1, 0]);
    packet.extend(payload);
    s.write_all(&packet).await.unwrap();
}

/// Serves one connection: each `SELECT TOP 0` gets `columns` as its metadata, each bulk load
/// reports `rows_per_load` rows, everything else a plain DONE.
async fn serve(mut s: TcpStream, columns: Vec<FakeColumn>, rows_per_load: u64, log: Arc<Log>) {
    while let Some((kind, payload)) = read_message(&mut s).await {
        match kind {
            // ENCRYPTION = NOT_SUP, then the terminator.
            PRELOGIN => reply(&mut s, &[0x01, 0x00, 0x06, 0x00, 0x01, 0xFF, 0x02]).await,
            LOGIN7 => reply(&mut s, &done(None)).await,
            _ => {
                let answer = if kind == BULK_LOAD {
                    done(Some(rows_per_load))
                } else if kind == SQL_BATCH && batch_text(&payload).starts_with("SELECT TOP 0") {
                    [colmetadata(&columns), done(None)].concat()
                } else {
                    done(None)
                };
                log.0.lock().unwrap().push((kind, payload));
                reply(&mut s, &answer).await;
            }
        }
    }
}

/// A driver logged in to a fake server whose tables all have `columns`.
pub(super) async fn driver(
    columns: Vec<FakeColumn>,
    rows_per_load: u64,
) -> (MsSqlDriver, Arc<Log>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let log = Arc::new(Log::default());
    let server_log = log.clone();
    tokio::spawn(async move {
        let (s, _) = listener.accept().await.unwrap();
        serve(s, columns, rows_per_load, server_log).await;
    });
    let mut cfg = tiberius::Config::new();
    cfg.host("127.0.0.1");
    cfg.port(port);
    cfg.authentication(tiberius::AuthMethod::sql_server("sa", "pw"));
    cfg.encryption(tiberius::EncryptionLevel::NotSupported);
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let client = tiberius::Client::connect(cfg, tcp.compat_write())
        .await
        .unwrap();
    let endpoint = Endpoint {
        kind: "SQL Server",
        host: "127.0.0.1".into(),
        port,
        database: "cms".into(),
        user: Some("sa".into()),
        instance: None,
    };
    let driver = MsSqlDriver {
        client,
        endpoint,
        bulk: None,
    };
    (driver, log)
}
